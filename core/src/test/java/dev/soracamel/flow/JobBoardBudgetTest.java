package dev.soracamel.flow;

import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.BanList;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.ProviderTypes;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.spend.PriceTable;
import dev.soracamel.spend.Spend;
import dev.soracamel.spend.SpendSettings;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The board asks the budgets before it takes a slot, charges each created task, and after a restart knows
 * what the day's submits committed. A Yes Ai "2" job costs 1.00 USD (the shipped table); days are UTC days.
 */
class JobBoardBudgetTest {

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();

    SoraSettings settings() {
        Map<String, String> p = Map.of(
                "sora.provider.yesai.base-url", "http://127.0.0.1:9",
                "sora.provider.yesai.token", "t",
                "sora.provider.yesai.tariff", "10",
                "sora.provider.yesai.submit-spacing", "0ms",
                "sora.retry.initial-backoff", "1ms",
                "sora.time-zone", "UTC");
        return SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))), ProviderTypes.onClasspath());
    }

    JobBoard last;

    @org.junit.jupiter.api.AfterEach
    void closeLast() {
        if (last != null) {
            last.repository().close();
        }
    }

    JobBoard board(String daily, String customerDaily, boolean deadLetter) throws Exception {
        SoraSettings s = settings();
        ProviderAdapter a;
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            a = new YesAiAdapter(s.provider("yesai"), YesAiCatalog.read(in), json);
        }
        PriceTable table;
        try (InputStream in = getClass().getResourceAsStream("/dev/soracamel/prices.yaml")) {
            table = PriceTable.read(List.of(in), List.of("prices.yaml"));
        }
        SpendSettings budget = new SpendSettings(List.of("classpath:dev/soracamel/prices.yaml"), false,
                daily == null ? null : new BigDecimal(daily), customerDaily == null ? null : new BigDecimal(customerDaily),
                ZoneId.of("UTC"), deadLetter, "sora");
        if (last != null) {
            last.repository().close(); // the previous run is over: its process, and its folder lock, are gone
        }
        JobBoard board = new JobBoard(s, new FileJobRepository(dir, json), new BanList(dir.resolve("bans.txt")),
                Map.of("yesai", a), Spend.of(budget, table, Map.of("yesai", "yesai"), Map.of("yesai", a)));
        board.start();
        board.recover();
        last = board;
        Thread.sleep(2); // the submit gate opens one spacing after start
        return board;
    }

    Job job(String id, String customer) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.customerId = customer;
        j.model = "2";
        j.request = json.createObjectNode().put("version", "2").put("resolution", 720).put("duration", 10)
                .put("customer_id", customer);
        j.source = id + ".json";
        return j;
    }

    int tasks;

    /** One submit round: pick, the provider creates a task, the gate is released. */
    JobBoard.Pick submit(JobBoard board) {
        JobBoard.Pick pick = board.pickSubmit("yesai");
        if (pick != null && pick.next() == Next.SUBMIT) {
            board.submitAnswered(pick.job(), SubmitResult.created(String.valueOf(++tasks)));
            board.releaseSubmitGate("yesai");
        }
        return pick;
    }

    @Test
    void a_budget_for_two_jobs_submits_two_and_holds_the_rest_without_a_slot_also_after_a_restart() throws Exception {
        JobBoard board = board("2.00", null, false);
        for (String id : List.of("a", "b", "c", "d")) {
            board.accept(job(id, "c" + id));
        }
        assertThat(board.find("a").orElseThrow().taskPrice).isEqualByComparingTo("1.00");

        assertThat(submit(board).job().requestId).isEqualTo("a");
        assertThat(submit(board).job().requestId).isEqualTo("b");
        assertThat(submit(board)).isNull();
        assertThat(submit(board)).isNull();

        Map<String, Object> counts = board.queries().counts();
        assertThat(counts.get("active")).as("held jobs take no slot").isEqualTo(2);
        assertThat(counts.get("queued")).isEqualTo(2);
        assertThat(counts.get("spent-today")).isEqualTo("2.00/2.00USD");
        assertThat(counts.get("held-by-budget")).isEqualTo(2L);
        Job a = board.find("a").orElseThrow();
        assertThat(a.charges).singleElement().satisfies(c -> assertThat(c.taskId()).isEqualTo("1"));
        assertThat(a.estimatedCost).isEqualByComparingTo("1.00");

        // a restart (same budget) derives the day's spend from the job records: still held
        JobBoard again = board("2.00", null, false);
        assertThat(submit(again)).isNull();
        assertThat(again.queries().counts().get("spent-today")).isEqualTo("2.00/2.00USD");
        // raised at a restart: exactly one more fits
        JobBoard raised = board("3.00", null, false);
        assertThat(submit(raised).job().requestId).isEqualTo("c");
        assertThat(submit(raised)).isNull();
        assertThat(raised.find("d").orElseThrow().state).isEqualTo(JobState.QUEUED);
    }

    @Test
    void another_customers_job_that_fits_goes_ahead_of_one_that_waits() throws Exception {
        JobBoard board = board(null, "1.00", false);
        board.accept(job("alice-1", "alice"));
        board.accept(job("alice-2", "alice"));
        board.accept(job("alice-3", "alice"));
        board.accept(job("bob-1", "bob"));

        assertThat(submit(board).job().requestId).isEqualTo("alice-1");
        assertThat(submit(board).job().requestId).as("alice-2 waits, bob goes").isEqualTo("bob-1");
        assertThat(submit(board)).isNull();
        assertThat(board.queries().counts().get("held-by-budget")).isEqualTo(2L);
        assertThat(board.find("alice-2").orElseThrow().state).isEqualTo(JobState.QUEUED);
    }

    @Test
    void over_budget_with_the_dead_letter_policy_is_dead_lettered_with_a_reason_and_no_cost() throws Exception {
        JobBoard board = board("1.00", null, true);
        board.accept(job("paid", "c"));
        board.accept(job("over", "c"));

        assertThat(submit(board).next()).isEqualTo(Next.SUBMIT);
        JobBoard.Pick over = submit(board);

        assertThat(over.next()).isEqualTo(Next.DEAD_LETTER);
        Job dead = board.find("over").orElseThrow();
        assertThat(dead.deadCode).isEqualTo("BUDGET_EXCEEDED");
        assertThat(dead.deadLetter.message()).contains("1.00 USD", "sora.budget.daily", "new request_id");
        assertThat(dead.deadLetter.estimatedCost()).as("never submitted, nothing spent").isNull();
        assertThat(dead.tasksCreated).isZero();
    }

    @Test
    void a_refusal_after_the_submit_frees_its_amount_and_a_dead_letter_after_a_created_task_carries_its_cost()
            throws Exception {
        JobBoard board = board("1.00", null, true);
        board.accept(job("limited", "c"));
        board.accept(job("next", "c"));

        JobBoard.Pick p = board.pickSubmit("yesai");
        assertThat(board.spend().committedToday(Instant.now())).isEqualByComparingTo("1.00");
        board.submitAnswered(p.job(), SubmitResult.of(SubmitResult.Kind.RETRY, "TASK_LIMIT_EXCEEDED", "busy", 409));
        board.releaseSubmitGate("yesai");
        assertThat(board.spend().committedToday(Instant.now())).as("the 409 created no task").isEqualByComparingTo("0");
        assertThat(board.find("limited").orElseThrow().charges).isEmpty();

        // the 409's backoff (1 ms here) is kept across a restart; it is over by now
        Thread.sleep(5);
        JobBoard fresh = board("1.00", null, true);
        JobBoard.Pick again = fresh.pickSubmit("yesai");
        assertThat(again.job().requestId).isEqualTo("limited");
        fresh.submitAnswered(again.job(), SubmitResult.created("9"));
        fresh.releaseSubmitGate("yesai");
        Job limited = fresh.find("limited").orElseThrow();
        // the provider rejects the task (status 3): dead-lettered, its task was created and counts
        fresh.statusAnswered(limited, StatusResult.error(StatusResult.Kind.FAILED, "TASK_REJECTED", "no", 200));
        assertThat(limited.deadLetter.estimatedCost()).isEqualByComparingTo("1.00");
        assertThat(limited.deadLetter.currency()).isEqualTo("USD");
    }

    @Test
    void a_resubmit_after_a_provider_timeout_is_a_second_charge_and_is_checked_against_the_budget() throws Exception {
        JobBoard board = board("1.00", null, false);
        board.accept(job("flaky", "c"));
        submit(board);
        Job flaky = board.find("flaky").orElseThrow();

        board.statusAnswered(flaky, StatusResult.error(StatusResult.Kind.TIMED_OUT, "TASK_TIMED_OUT", "status 4", 200));

        assertThat(flaky.state).isEqualTo(JobState.QUEUED);
        assertThat(submit(board)).as("its second task would exceed the 1.00 budget").isNull();
        JobBoard raised = board("2.00", null, false);
        assertThat(submit(raised).job().requestId).isEqualTo("flaky");
        Job twice = raised.find("flaky").orElseThrow();
        assertThat(twice.charges).hasSize(2);
        assertThat(twice.estimatedCost).isEqualByComparingTo("2.00");
        assertThat(twice.tasksCreated).isEqualTo(2);
    }

    @Test
    void a_submit_on_the_wire_when_the_process_died_is_counted_as_spent_after_the_restart() throws Exception {
        JobBoard board = board("1.00", null, false);
        board.accept(job("on-the-wire", "c"));
        board.accept(job("next", "c"));
        assertThat(board.pickSubmit("yesai").next()).isEqualTo(Next.SUBMIT);
        // killed here: the record says SUBMITTING, with the charge pending

        JobBoard restarted = board("1.00", null, false);

        Job lost = restarted.find("on-the-wire").orElseThrow();
        assertThat(lost.deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(lost.charges).singleElement().satisfies(c -> assertThat(c.uncertain()).isTrue());
        assertThat(lost.deadLetter.estimatedCost()).isEqualByComparingTo("1.00");
        assertThat(restarted.spend().committedToday(Instant.now())).isEqualByComparingTo("1.00");
        assertThat(submit(restarted)).as("the task may exist and be paid: the budget is used").isNull();
    }

    @Test
    void yesterdays_charges_do_not_count_today_after_a_restart() throws Exception {
        JobBoard board = board("1.00", null, false);
        board.accept(job("yesterday", "c"));
        submit(board);
        Job y = board.find("yesterday").orElseThrow();
        // the record as a run of yesterday left it
        var charge = y.charges.get(0);
        y.charges.set(0, new dev.soracamel.job.Charge(charge.at().minusSeconds(86400), charge.amount(),
                charge.taskId(), null));
        board.repository().update(y);
        board.accept(job("today", "c"));

        JobBoard restarted = board("1.00", null, false);

        assertThat(submit(restarted).job().requestId).isEqualTo("today");
    }

    @Test
    void without_budgets_the_queue_goes_in_order_and_every_job_carries_its_estimate() throws Exception {
        JobBoard board = board(null, null, false);
        Map<String, Integer> order = new HashMap<>();
        for (int i = 0; i < 5; i++) {
            board.accept(job("j" + i, "c"));
        }
        for (int i = 0; i < 5; i++) {
            order.put(submit(board).job().requestId, i);
        }
        assertThat(order).containsEntry("j0", 0).containsEntry("j4", 4);
        assertThat(board.queries().counts()).containsEntry("spent-today", "5.00USD").doesNotContainKey("held-by-budget");
    }
}
