package dev.soracamel.pipeline;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A task that never finishes is checked exactly 60 times, then rejected locally. */
class StuckTaskTest extends PipelineTestSupport {

    @Override
    protected double timeScale() {
        return 0.003; // 60 checks 20 provider-seconds apart take about 4 s here
    }

    @Test
    void sixty_checks_without_a_final_status_end_in_poll_attempts_exhausted() throws Exception {
        drop("stuck.json", v2("A render that never ends [sandbox:stuck]", "c"));

        awaitSettled(1, Duration.ofSeconds(60));

        JsonNode e = error("stuck");
        assertThat(e.path("code").asText()).isEqualTo("POLL_ATTEMPTS_EXHAUSTED");
        assertThat(e.path("attempts").path("statusChecks").asInt()).isEqualTo(60);
        assertThat(sandbox().stats().statusChecks()).isEqualTo(60);
        assertThat(sandbox().stats().checksOverLimit()).isZero();
        assertNoBreaches();
    }
}
