package dev.soracamel.pipeline;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests in, MP4s or dead letters out, against the sandbox's rules. */
class EndToEndTest extends PipelineTestSupport {

    @Test
    void both_versions_are_stored_with_metadata_and_no_rule_broken() throws Exception {
        drop("short.json", v2("A cat on a sunny beach", "tg-1"));
        drop("long.json", request("2.pro", "A slow pan over a city at night", 1080, 15, "tg-2"));

        awaitSettled(2, Duration.ofSeconds(30));

        for (String[] c : new String[][] {{"tg-1", "short"}, {"tg-2", "long"}}) {
            assertThat(stored(c[0], c[1])).exists();
            assertThat(isMp4(stored(c[0], c[1]))).isTrue();
            JsonNode meta = metadata(c[0], c[1]);
            assertThat(meta.path("state").asText()).isEqualTo("STORED");
            assertThat(meta.path("taskId").asText()).isNotBlank();
            assertThat(meta.path("videoBytes").asLong()).isEqualTo(java.nio.file.Files.size(stored(c[0], c[1])));
            assertThat(meta.path("request").path("customer_id").asText()).isEqualTo(c[0]);
            assertThat(meta.path("history").size()).isGreaterThanOrEqualTo(4);
            assertThat(meta.has("resultUrl")).as("the expiring link is not kept").isFalse();
        }
        assertThat(metadata("tg-2", "long").path("model").asText()).isEqualTo("2.pro");
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(2);
        assertThat(sandbox().stats().earlyChecks()).isZero();
        assertNoBreaches();
        assertThat(deadCount()).isZero();
        assertThat(archived()).hasSize(2);
    }

    @Test
    void twelve_jobs_on_a_tariff_of_three_never_break_a_limit() throws Exception {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 1; i <= 12; i++) {
            batch.append(i > 1 ? "," : "").append(v2("Scene number " + i + " of a long batch", "c" + (i % 4)));
        }
        drop("batch.json", batch.append("]").toString());

        awaitSettled(12, Duration.ofSeconds(60));

        assertThat(storedCount()).isEqualTo(12);
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(12);
        assertThat(sandbox().stats().maxActiveObserved()).isEqualTo(3);
        assertNoBreaches();
    }

    @Test
    void status_3_dead_letters_with_the_providers_comments() throws Exception {
        drop("refused.json", v2("A famous actor on stage [sandbox:reject]", "tg-3"));

        awaitSettled(1, Duration.ofSeconds(30));

        JsonNode e = error("refused");
        assertThat(e.path("code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(e.path("commentRu").asText()).isNotBlank();
        assertThat(e.path("commentEn").asText()).isNotBlank();
        assertThat(e.path("taskId").asText()).isNotBlank();
        assertThat(originalOf("refused")).exists();
        assertNoBreaches();
    }

    @Test
    void status_4_is_submitted_again_and_then_stored() throws Exception {
        drop("flaky.json", v2("A city street from dusk to night [sandbox:timeout-once]", "tg-4"));

        awaitSettled(1, Duration.ofSeconds(30));

        assertThat(stored("tg-4", "flaky")).exists();
        JsonNode meta = metadata("tg-4", "flaky");
        assertThat(meta.path("tasksCreated").asInt()).isEqualTo(2);
        assertThat(meta.path("timeoutResubmits").asInt()).isEqualTo(1);
        assertThat(meta.path("taskIds").size()).isEqualTo(2);
        assertNoBreaches();
    }

    @Test
    void status_4_every_time_dead_letters_after_two_resubmits() throws Exception {
        drop("hopeless.json", v2("A city street that never renders [sandbox:timeout]", "tg-5"));

        awaitSettled(1, Duration.ofSeconds(30));

        JsonNode e = error("hopeless");
        assertThat(e.path("code").asText()).isEqualTo("TASK_TIMED_OUT");
        assertThat(e.path("attempts").path("tasksCreated").asInt()).isEqualTo(3);
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(3);
        assertNoBreaches();
    }

    @Test
    void the_same_file_dropped_twice_is_submitted_once() throws Exception {
        String once = v2("Only one of me will ever be made", "tg-6");
        drop("twice.json", once);
        awaitSettled(1, Duration.ofSeconds(30));
        drop("twice.json", once);
        await(() -> safeList().split(",").length == 2, Duration.ofSeconds(10), () -> "archived: " + safeList());
        awaitSettled(1, Duration.ofSeconds(10));

        assertThat(sandbox().stats().tasksCreatedByPrompt().get("Only one of me will ever be made")).isEqualTo(1);
        assertThat(sandbox().stats().posts()).isEqualTo(1);
        assertThat(storedCount()).isEqualTo(1);
        assertThat(deadCount()).isZero();
    }

    @Test
    void a_cut_off_download_is_retried() throws Exception {
        drop("cut.json", v2("A river through a forest [sandbox:truncate-once]", "tg-7"));

        awaitSettled(1, Duration.ofSeconds(30));

        assertThat(stored("tg-7", "cut")).exists();
        assertThat(metadata("tg-7", "cut").path("downloadAttempts").asInt()).isEqualTo(2);
        assertThat(isMp4(stored("tg-7", "cut"))).isTrue();
    }

    private String safeList() {
        try {
            return archived().toString();
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
