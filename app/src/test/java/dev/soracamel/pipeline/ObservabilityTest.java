package dev.soracamel.pipeline;

import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics over HTTP on loopback, as a probe and a Prometheus scraper see them, checked against
 * what the sandbox saw and what ended in the folders.
 */
class ObservabilityTest extends ObservabilityTestSupport {

    static final String CHECK = "sora-provider-yesai";

    @Override
    protected void configure(Properties p) {
        super.configure(p);
        // a pause is re-checked every second here
        p.put("sora.pause.recheck-cron", "* * * * * ?");
    }

    @Test
    void health_and_metrics_tell_the_truth_while_a_batch_runs_and_after() throws Exception {
        awaitStartedUp();
        StringBuilder batch = new StringBuilder("[");
        for (int i = 1; i <= 6; i++) {
            batch.append(v2("Scene number " + i + " of an observed batch", "c" + (i % 3))).append(',');
        }
        batch.append(v2("A download cut off once [sandbox:truncate-once]", "c7")).append(',');
        batch.append(v2("Timed out once at the provider [sandbox:timeout-once]", "c8")).append(',');
        batch.append(v2("A famous actor on stage [sandbox:reject]", "c9")).append(']');
        drop("batch.json", batch.toString());
        drop("invalid.json", request("2", "Too long for this version", 720, 15, "c10"));

        // while it runs: every scrape within the limit, readiness UP, no call counted that the provider did not see
        double maxActive = 0;
        double maxQueued = 0;
        int scrapes = 0;
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!(storedCount() + deadCount() >= 10 && board().queries().idle())) {
            assertThat(System.nanoTime()).as("the batch settles within 60 s: " + board().queries().counts()).isLessThan(end);
            Scrape s = scrape();
            long posts = sandbox().stats().posts();
            double active = s.sum("sora_active_tasks", "provider", "yesai");
            assertThat(active).as("active tasks").isLessThanOrEqualTo(s.sum("sora_active_tasks_limit", "provider", "yesai"));
            assertThat(s.sum("sora_api_calls_total", "endpoint", "submit")).as("submits counted, at most those seen")
                    .isLessThanOrEqualTo(posts);
            Answer r = get("/observe/health/ready?data=true");
            assertThat(r.status()).as(r.body()).isEqualTo(200);
            maxActive = Math.max(maxActive, active);
            maxQueued = Math.max(maxQueued, s.sum("sora_queue_depth", "provider", "yesai"));
            scrapes++;
            Thread.sleep(25);
        }
        assertThat(scrapes).as("scrapes while the batch ran").isGreaterThan(5);
        assertThat(maxActive).as("the tariff was in use while scraped").isEqualTo(3);
        assertThat(maxQueued).as("jobs were seen waiting").isGreaterThan(0);

        // after: the figures match the folders and the sandbox's own counters
        var stats = sandbox().stats();
        Scrape s = scrape();
        assertThat(storedCount()).isEqualTo(8);
        assertThat(s.sum("sora_jobs", "provider", "yesai", "state", "stored")).isEqualTo(8);
        assertThat(s.sum("sora_jobs", "provider", "yesai", "state", "dead")).isEqualTo(1);
        assertThat(s.sum("sora_jobs", "provider", "yesai")).as("every job in some state").isEqualTo(9);
        assertThat(s.sum("sora_requests_rejected_total")).isEqualTo(1);
        assertThat(s.sum("sora_queue_depth")).isZero();
        assertThat(s.sum("sora_active_tasks")).isZero();
        assertThat(s.sum("sora_active_tasks_limit", "provider", "yesai")).isEqualTo(3);
        assertThat(s.sum("sora_provider_paused")).isZero();

        assertThat(s.sum("sora_api_calls_total", "endpoint", "submit")).isEqualTo(stats.posts());
        assertThat(s.sum("sora_api_calls_total", "endpoint", "submit", "outcome", "created", "http", "2xx"))
                .isEqualTo(stats.tasksCreated()).isEqualTo(10); // 9 jobs, one of them twice after a provider timeout
        assertThat(s.sum("sora_api_calls_total", "endpoint", "status")).isEqualTo(stats.statusChecks());
        assertThat(s.sum("sora_api_calls_total", "endpoint", "status", "outcome", "completed")).isEqualTo(8);
        assertThat(s.sum("sora_api_calls_total", "endpoint", "status", "outcome", "failed")).isEqualTo(1);
        assertThat(s.sum("sora_api_calls_total", "endpoint", "status", "outcome", "timed_out")).isEqualTo(1);
        assertThat(s.sum("sora_api_calls_total", "endpoint", "download")).isEqualTo(stats.downloads()).isEqualTo(9);
        assertThat(s.sum("sora_api_calls_total", "endpoint", "download", "outcome", "ok")).isEqualTo(8);
        assertThat(s.sum("sora_api_calls_total", "endpoint", "download", "outcome", "retry", "http", "2xx"))
                .as("the cut-off download").isEqualTo(1);

        assertThat(s.sum("sora_submit_to_stored_seconds_count", "provider", "yesai")).isEqualTo(8);
        assertThat(s.sum("sora_submit_to_stored_seconds_sum", "provider", "yesai")).isGreaterThan(0);
        assertThat(s.sum("sora_status_checks_per_task_count", "provider", "yesai")).as("tasks that ended").isEqualTo(10);
        assertThat(s.sum("sora_status_checks_per_task_sum", "provider", "yesai")).isEqualTo(stats.statusChecks());
        assertThat(s.samples).allSatisfy(x -> assertThat(x.labels()).containsEntry("pipeline", "sora")
                .doesNotContainKeys("request_id", "customer_id", "task_id"));

        Answer ready = get("/observe/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().path("status").asText()).isEqualTo("UP");
        JsonNode check = readinessCheck(CHECK);
        assertThat(check).as("the provider's readiness check").isNotNull();
        assertThat(check.path("status").asText()).isEqualTo("UP");
        assertThat(check.path("data").path("limit").asInt()).isEqualTo(3);
        assertNoBreaches();
    }

    @Test
    void readiness_is_down_with_the_reason_while_the_token_is_refused_and_up_again_after() throws Exception {
        awaitStartedUp();
        sandbox().setToken("a-different-token");
        drop("wait1.json", v2("Wait for a good token", "c3"));
        drop("wait2.json", v2("Wait for a good token too", "c3"));

        await(() -> status("/observe/health/ready") == 503, Duration.ofSeconds(10), () -> board().queries().counts().toString());
        Answer ready = get("/observe/health/ready");
        assertThat(ready.json().path("status").asText()).isEqualTo("DOWN");
        // the default exposure lists the DOWN checks with their message: ours alone
        assertThat(ready.json().path("checks")).hasSize(1);
        JsonNode down = ready.json().path("checks").get(0);
        assertThat(down.path("name").asText()).isEqualTo(CHECK);
        assertThat(down.path("message").asText()).contains("UNAUTHORIZED").contains("jobs wait");
        JsonNode data = readinessCheck(CHECK).path("data");
        assertThat(data.path("pause.code").asText()).isEqualTo("UNAUTHORIZED");
        assertThat(data.path("pause.message").asText()).isNotBlank();
        assertThat(data.path("paused.since").asText()).isNotBlank();
        // a pause is not a reason to restart the process
        Answer live = get("/observe/health/live");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.json().path("status").asText()).isEqualTo("UP");

        await(() -> queued() == 2, Duration.ofSeconds(10), () -> board().queries().counts().toString());
        Scrape s = scrape();
        assertThat(s.sum("sora_provider_paused", "provider", "yesai")).isEqualTo(1);
        assertThat(s.sum("sora_api_calls_total", "endpoint", "submit", "outcome", "paused", "http", "4xx")).isPositive();
        assertThat(s.sum("sora_api_calls_total", "endpoint", "submit", "outcome", "created")).isZero();

        sandbox().setToken("sandbox-token");
        awaitSettled(2, Duration.ofSeconds(30));
        assertThat(get("/observe/health/ready").status()).isEqualTo(200);
        assertThat(readinessCheck(CHECK).path("status").asText()).isEqualTo("UP");
        assertThat(scrape().sum("sora_provider_paused", "provider", "yesai")).isZero();
        assertThat(storedCount()).isEqualTo(2);
    }

    @Test
    void readiness_is_down_while_the_account_has_no_credit() throws Exception {
        awaitStartedUp();
        sandbox().setRpoints(0);
        drop("broke.json", v2("Wait for credit", "c4"));

        await(() -> status("/observe/health/ready") == 503, Duration.ofSeconds(10), () -> board().queries().counts().toString());
        assertThat(readinessCheck(CHECK).path("data").path("pause.code").asText()).isEqualTo("NOT_ENOUGH_RPOINTS");
        assertThat(get("/observe/health/live").status()).isEqualTo(200);

        sandbox().setRpoints(-1);
        awaitSettled(1, Duration.ofSeconds(30));
        assertThat(get("/observe/health/ready").status()).isEqualTo(200);
        assertThat(storedCount()).isEqualTo(1);
    }

    /** Camel's own checks are DOWN until each consumer has polled once: the start is over when all are UP. */
    private void awaitStartedUp() throws InterruptedException {
        await(() -> status("/observe/health/ready") == 200, Duration.ofSeconds(10), () -> "readiness still DOWN");
    }

    private int status(String path) {
        try {
            return get(path).status();
        } catch (Exception e) {
            return -1;
        }
    }

    private double queued() {
        try {
            return scrape().sum("sora_queue_depth", "provider", "yesai");
        } catch (Exception e) {
            return -1;
        }
    }
}
