package dev.soracamel.pipeline;

import java.time.Duration;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way in (inbox folder or bucket) with every way out (folders or bucket), chosen by configuration
 * alone: each case restarts the pipeline with its properties and sends one good and one bad request through.
 */
class S3CombinationsTest extends S3PipelineTestSupport {

    @ParameterizedTest(name = "requests from {0}, videos and dead letters to {1}")
    @CsvSource({"folder, folder", "folder, s3", "s3, folder", "s3, s3"})
    void requests_go_in_one_way_and_out_the_other(String in, String out) throws Exception {
        boolean s3In = in.equals("s3");
        boolean s3Out = out.equals("s3");
        restart(p -> {
            if (s3In) {
                s3Intake(p, false);
            }
            if (s3Out) {
                s3Storage(p);
                s3DeadLetters(p);
            }
        });
        assertThat(context.getRoute("intake-s3") != null).as("S3 intake route").isEqualTo(s3In);
        assertThat(context.getRoute("intake-folder") != null).as("folder intake route").isEqualTo(!s3In);

        String good = v2("A lighthouse in a storm", "tg-9");
        String bad = v2("Lighthouse", "tg-9");
        if (s3In) {
            put("good.json", good);
            put("bad.json", bad);
        } else {
            drop("good.json", good);
            drop("bad.json", bad);
        }
        awaitSettled(2, Duration.ofSeconds(30));

        if (s3Out) {
            assertThat(keys(VIDEOS)).containsExactly(metadataKey("tg-9", "good"), videoKey("tg-9", "good"));
            assertThat(json(rejectionKey("bad", true)).path("code").asText()).isEqualTo("PROMPT_NOT_VALID");
            assertThat(count(dir.resolve("outbox"), ".mp4")).as("nothing in the outbox folder").isZero();
            assertThat(count(dir.resolve("dead-letter"), ".json")).as("nothing in the dead-letter folder").isZero();
        } else {
            assertThat(stored("tg-9", "good")).exists();
            assertThat(error("bad").path("code").asText()).isEqualTo("PROMPT_NOT_VALID");
            assertThat(keys(VIDEOS)).isEmpty();
            assertThat(keys(DEAD)).isEmpty();
        }
        assertThat(storedCount()).isEqualTo(1);
        assertThat(deadCount()).isEqualTo(1);
        if (s3In) {
            assertThat(keys(PROCESSED)).containsExactly(PROCESSED + "inbox/bad.json", PROCESSED + "inbox/good.json");
            assertThat(archived()).isEmpty();
        } else {
            assertThat(archived()).hasSize(2);
            assertThat(keys(PROCESSED)).isEmpty();
        }
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(1);
    }
}
