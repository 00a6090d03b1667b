package dev.soracamel.pipeline;

import dev.soracamel.testing.LogCapture;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The API token travels in a header to the provider and nowhere else: no log line, no dead letter. */
class TokenNeverLoggedTest extends PipelineTestSupport {

    static final String TOKEN = "sandbox-token"; // the sandbox's account token, which sandbox mode hands the provider

    final LogCapture capture = new LogCapture("capture");
    final List<String> lines = capture.lines;

    @Override
    protected void configure(java.util.Properties p) {
        p.put("sora.pause.recheck-cron", "* * * * * ?");
    }

    @Override
    protected void doPreSetup() throws Exception {
        capture.attach();
    }

    @AfterEach
    void detach() {
        capture.detach();
    }

    @Test
    void the_token_appears_in_no_log_line_and_no_dead_letter() throws Exception {
        sandbox().setToken("another-token");  // our token is refused: the pause is logged loudly
        drop("a.json", v2("Wait for a good token", "c"));
        await(() -> String.valueOf(board().queries().counts().get("paused")).contains("UNAUTHORIZED"), Duration.ofSeconds(10),
                () -> board().queries().counts().toString());
        sandbox().setToken(TOKEN);
        drop("b.json", v2("A download cut off once [sandbox:truncate-once]", "c"));
        drop("c.json", v2("Refused by the provider [sandbox:reject]", "c"));
        awaitSettled(3, Duration.ofSeconds(30));

        assertThat(lines).isNotEmpty();
        assertThat(lines).noneMatch(l -> l.contains(TOKEN));
        assertThat(java.nio.file.Files.readString(errorOf("c"))).doesNotContain(TOKEN);
        assertThat(java.nio.file.Files.readString(dir.resolve("outbox/c/a.json"))).doesNotContain(TOKEN);
    }
}
