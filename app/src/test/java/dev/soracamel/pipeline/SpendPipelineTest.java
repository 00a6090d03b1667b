package dev.soracamel.pipeline;

import dev.soracamel.testing.LogCapture;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.progress.ProgressReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Budgets stop submits at their limit on the real routes and the sandbox, and every job carries its cost
 * estimate. A Yes Ai "2" job (720p, 10 s) costs 1.00 USD in the shipped price table, so a budget of N.00
 * allows exactly N of them. The budget day is a zone where it is now about noon, so no run crosses midnight.
 */
class SpendPipelineTest extends PipelineTestSupport {

    static final String NOON = ZoneOffset.ofHours(12 - LocalTime.now(ZoneOffset.UTC).getHour()).getId();

    final LogCapture capture = new LogCapture("capture-spend");
    final List<String> lines = capture.lines;

    @Override
    protected void configure(Properties p) {
        p.put("sora.budget.daily", "3.00");
        p.put("sora.budget.time-zone", NOON);
    }

    @Override
    protected void doPreSetup() throws Exception {
        capture.attach();
    }

    @AfterEach
    void detach() {
        capture.detach();
    }

    static String batch(String... customers) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < customers.length; i++) {
            b.append(i > 0 ? "," : "").append(v2("Budget scene number " + (i + 1) + " of a batch", customers[i]));
        }
        return b.append("]").toString();
    }

    String progress() {
        return context.getRegistry().lookupByNameAndType("soraProgress", ProgressReport.class).line();
    }

    /** Waits until {@code held} jobs wait for a budget and nothing is under way, then gives the submit route time. */
    void awaitHeld(long held) throws Exception {
        await(() -> Long.valueOf(held).equals(board().queries().counts().get("held-by-budget"))
                        && Integer.valueOf(0).equals(board().queries().counts().get("active"))
                        && Integer.valueOf(0).equals(board().queries().counts().get("downloading")),
                Duration.ofSeconds(30), () -> board().queries().counts().toString());
        // 200 submit ticks and 100 submit spacings: time enough to submit everything if nothing held it back
        Thread.sleep(1000);
    }

    @Test
    void a_budget_for_three_jobs_submits_exactly_three_the_rest_wait_also_after_a_restart_until_it_is_raised()
            throws Exception {
        drop("batch.json", batch("c1", "c2", "c3", "c4", "c5"));

        await(() -> safe(this::storedCount).equals("3"), Duration.ofSeconds(30), () -> board().queries().counts().toString());
        awaitHeld(2);

        assertThat(sandbox().stats().posts()).as("submits the sandbox saw").isEqualTo(3);
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(3);
        assertThat(storedCount()).isEqualTo(3);
        assertThat(deadCount()).as("waiting, not dead-lettered").isZero();
        assertThat(board().queries().counts()).containsEntry("queued", 2).containsEntry("spent-today", "3.00/3.00USD");
        assertThat(progress()).contains("spent-today=3.00/3.00USD", "held-by-budget=2");
        assertThat(lines.stream().filter(l -> l.startsWith("BUDGET HOLDING"))).as("said once, loudly").hasSize(1)
                .allMatch(l -> l.contains("sora.budget.daily") && l.contains("3.00 USD"));
        JsonNode meta = metadata("c1", "batch-1");
        assertThat(meta.path("estimatedCost").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(meta.path("currency").asText()).isEqualTo("USD");
        assertThat(meta.path("taskPrice").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(meta.path("charges")).hasSize(1);
        assertThat(meta.path("charges").get(0).path("taskId").asText()).isEqualTo(meta.path("taskId").asText());

        // a restart does not reset the day's spend: it is derived from the job records
        restart(p -> { });
        awaitHeld(2);
        assertThat(sandbox().stats().posts()).as("submits after the restart").isZero();

        // the budget raised at a restart: the two waiting jobs go, and nothing more
        restart(p -> p.put("sora.budget.daily", "5.00"));
        awaitSettled(5, Duration.ofSeconds(30));
        assertThat(sandbox().stats().posts()).isEqualTo(2);
        assertThat(storedCount()).isEqualTo(5);
        assertThat(board().queries().counts()).containsEntry("spent-today", "5.00/5.00USD");
        assertNoBreaches();
    }

    @Test
    void with_the_dead_letter_policy_jobs_over_budget_are_dead_lettered_budget_exceeded() throws Exception {
        restart(p -> {
            p.put("sora.budget.daily", "2.00");
            p.put("sora.budget.over", "dead-letter");
        });
        drop("batch.json", batch("c1", "c2", "c3", "c4"));

        awaitSettled(4, Duration.ofSeconds(30));

        assertThat(sandbox().stats().posts()).as("submits the sandbox saw").isEqualTo(2);
        assertThat(storedCount()).isEqualTo(2);
        for (String id : List.of("batch-3", "batch-4")) {
            JsonNode e = error(id);
            assertThat(e.path("code").asText()).isEqualTo("BUDGET_EXCEEDED");
            assertThat(e.path("message").asText()).contains("1.00 USD", "daily budget of 2.00 USD", "sora.budget.daily",
                    "new request_id");
            assertThat(e.has("estimatedCost")).as("never submitted: nothing spent").isFalse();
            assertThat(dir.resolve("dead-letter/" + id + ".json")).as("the original request beside it").exists();
        }
        assertThat(lines.stream().filter(l -> l.startsWith("BUDGET REACHED"))).hasSize(1);
        assertNoBreaches();
    }

    @Test
    void a_customer_budget_holds_that_customer_while_other_customers_jobs_go_ahead() throws Exception {
        restart(p -> {
            p.remove("sora.budget.daily");
            p.put("sora.budget.customer-daily", "1.00");
        });
        drop("batch.json", batch("alice", "alice", "alice", "bob", "carol"));

        await(() -> safe(this::storedCount).equals("3"), Duration.ofSeconds(30), () -> board().queries().counts().toString());
        awaitHeld(2);

        assertThat(sandbox().stats().posts()).isEqualTo(3);
        assertThat(stored("alice", "batch-1")).exists();
        assertThat(stored("bob", "batch-4")).exists();
        assertThat(stored("carol", "batch-5")).exists();
        assertThat(board().find("batch-2").orElseThrow().state.name()).isEqualTo("QUEUED");
        assertThat(board().queries().counts()).containsEntry("spent-today", "3.00USD");
        assertThat(lines.stream().filter(l -> l.startsWith("BUDGET HOLDING")))
                .singleElement().asString().contains("customer 'alice'", "sora.budget.customer-daily");
    }

    @Test
    void every_job_carries_its_estimate_with_resubmits_and_dead_letters_after_a_submit_included() throws Exception {
        restart(p -> p.remove("sora.budget.daily"));
        drop("flaky.json", v2("A city street from dusk to night [sandbox:timeout-once]", "c1"));
        drop("pro.json", request("2.pro", "A slow pan over a city at night", 1080, 15, "c2"));
        drop("refused.json", v2("A famous actor on stage [sandbox:reject]", "c3"));
        drop("nsfw.json", v2("Something the provider refuses [sandbox:nsfw]", "c4"));

        awaitSettled(4, Duration.ofSeconds(60));

        JsonNode flaky = metadata("c1", "flaky");
        assertThat(flaky.path("tasksCreated").asInt()).isEqualTo(2);
        assertThat(flaky.path("charges")).as("each created task is paid").hasSize(2);
        assertThat(flaky.path("estimatedCost").decimalValue()).isEqualByComparingTo("2.00");
        assertThat(metadata("c2", "pro").path("estimatedCost").decimalValue()).isEqualByComparingTo("7.50");
        JsonNode refused = error("refused");
        assertThat(refused.path("code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(refused.path("estimatedCost").decimalValue()).as("its task was created").isEqualByComparingTo("1.00");
        assertThat(refused.path("currency").asText()).isEqualTo("USD");
        JsonNode nsfw = error("nsfw");
        assertThat(nsfw.path("code").asText()).isEqualTo("PROMPT_NSFW_WORDS");
        assertThat(nsfw.has("estimatedCost")).as("refused at submit: no task, nothing spent").isFalse();
        assertThat(board().queries().counts()).containsEntry("spent-today", "10.50USD"); // 2.00 + 7.50 + 1.00
    }

    @Test
    void a_model_without_a_price_is_dead_lettered_before_any_call() throws Exception {
        restart(p -> p.put("sora.prices", "classpath:prices/test-without-1080.yaml"));
        drop("priced.json", request("2.pro", "A slow pan over a harbour", 720, 10, "c1"));
        drop("unpriced.json", request("2.pro", "A slow pan over a city", 1080, 15, "c1"));

        awaitSettled(2, Duration.ofSeconds(60));

        assertThat(metadata("c1", "priced").path("estimatedCost").decimalValue()).isEqualByComparingTo("3.00");
        JsonNode e = error("unpriced");
        assertThat(e.path("code").asText()).isEqualTo("PRICE_NOT_FOUND");
        assertThat(e.path("message").asText()).contains("2.pro at 1080", "models.yesai", "sora.prices.unpriced=allow");
        assertThat(sandbox().stats().posts()).isEqualTo(1);
        assertThat(lines).anyMatch(l -> l.startsWith("spend: provider yesai offers [2.pro 1080] without a price"));
    }
}
