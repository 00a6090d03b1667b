package dev.soracamel.pipeline;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** A misconfigured S3 set-up stops the start with a sentence that says what to fix, not a failure hours later. */
class S3StartCheckTest extends S3PipelineTestSupport {

    @Test
    void a_missing_bucket_stops_the_start_and_is_named() {
        String why = startFailure(() -> restart(p -> {
            s3Storage(p);
            p.put("sora.store.s3.bucket", "no-such-bucket");
        }));

        assertThat(why).contains("S3 bucket 'no-such-bucket'", "does not exist", "sora.store.s3.bucket");
    }

    @Test
    void refused_credentials_stop_the_start_and_the_secret_is_never_told() {
        String why = startFailure(() -> restart(p -> {
            s3Intake(p, false);
            p.put("sora.s3.secret-key", "wrong-secret-4711");
        }));

        assertThat(why).contains("S3 bucket '" + bucket() + "'", "refused access (HTTP 403)", "sora.s3.access-key");
        assertThat(why).doesNotContain("wrong-secret-4711");
    }

    @Test
    void an_unreachable_store_stops_the_start() {
        String why = startFailure(() -> restart(p -> {
            s3DeadLetters(p);
            p.put("sora.s3.endpoint-override", "http://127.0.0.1:1");
        }));

        assertThat(why).contains("cannot check S3 bucket '" + bucket() + "' at http://127.0.0.1:1",
                "sora.s3.endpoint-override");
    }

    @Test
    void an_intake_that_would_read_its_own_output_does_not_start() {
        String why = startFailure(() -> restart(p -> {
            s3Intake(p, false);
            s3Storage(p);
            p.put("sora.intake.s3.prefix", "requests");
            p.put("sora.store.s3.prefix", "requests/videos");
        }));

        assertThat(why).contains("sora.store.s3.prefix='requests/videos/'", "sora.intake.s3.prefix='requests/'",
                "overlap");
    }

    interface Start {
        void run() throws Exception;
    }

    /** The whole chain of causes as text: Camel wraps ours in its own start-up exceptions. */
    private static String startFailure(Start start) {
        Throwable t = catchThrowable(start::run);
        assertThat(t).as("the start failed").isNotNull();
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
