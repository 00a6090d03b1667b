package dev.soracamel.spend;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static dev.soracamel.spend.Spend.Verdict.BUDGET_EXCEEDED;
import static dev.soracamel.spend.Spend.Verdict.GO;
import static dev.soracamel.spend.Spend.Verdict.PRICE_NOT_FOUND;
import static dev.soracamel.spend.Spend.Verdict.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Budget arithmetic with explicit instants: day boundaries in a zone, per-customer budgets, submits on the
 * wire, resubmits, and what a restart derives from the job records. A Yes Ai "2" job costs 1.00 USD here
 * (0.10/s x 10 s, the shipped table).
 */
class SpendTest {

    static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow"); // UTC+3, no daylight saving
    static final BigDecimal ONE = new BigDecimal("1.00");

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();
    ProviderAdapter yesai;
    PriceTable table;

    @BeforeEach
    void setUp() throws Exception {
        table = PriceTableTest.shipped();
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            yesai = new YesAiAdapter(PriceTableTest.provider("yesai", "yesai"), YesAiCatalog.read(in), json);
        }
    }

    Spend spend(String daily, String customerDaily, ZoneId zone, boolean deadLetter, boolean allowUnpriced) {
        SpendSettings s = new SpendSettings(List.of("classpath:dev/soracamel/prices.yaml"), allowUnpriced,
                daily == null ? null : new BigDecimal(daily), customerDaily == null ? null : new BigDecimal(customerDaily),
                zone, deadLetter, "sora");
        return Spend.of(s, table, Map.of("yesai", "yesai"), Map.of("yesai", yesai));
    }

    Spend spend(String daily, String customerDaily) {
        return spend(daily, customerDaily, MOSCOW, false, false);
    }

    Job job(Spend spend, String id, String customer, String version, int resolution, int duration) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.customerId = customer;
        j.model = version;
        j.request = json.createObjectNode().put("version", version).put("resolution", resolution)
                .put("duration", duration).put("customer_id", customer);
        j.state = JobState.QUEUED;
        spend.price(j);
        return j;
    }

    Job job(Spend spend, String id, String customer) {
        return job(spend, id, customer, "2", 720, 10);
    }

    /** A submit that created a task at {@code at}. */
    static void paid(Spend spend, Job job, Instant at) {
        assertThat(spend.check(job, at)).isEqualTo(GO);
        spend.submitting(job, at);
        spend.taskCreated(job, "task-" + job.requestId + "-" + job.charges.size());
        job.state = JobState.POLLING;
    }

    static Instant t(String iso) {
        return Instant.parse(iso);
    }

    @Test
    void a_job_is_priced_from_the_table_at_intake() {
        Spend s = spend(null, null);
        Job pro = job(s, "pro", "c", "2.pro", 1080, 15);

        assertThat(pro.taskPrice).isEqualByComparingTo("7.50");
        assertThat(pro.currency).isEqualTo("USD");
        assertThat(job(s, "two", "c").taskPrice).isEqualByComparingTo(ONE);
    }

    @Test
    void the_budget_day_ends_at_midnight_in_its_zone_not_in_utc() {
        Spend moscow = spend("2.00", null);
        Instant lateEvening = t("2026-03-14T20:30:00Z"); // 23:30 in Moscow
        paid(moscow, job(moscow, "a", "c"), lateEvening);
        paid(moscow, job(moscow, "b", "c"), lateEvening);
        Job third = job(moscow, "c", "c");

        assertThat(moscow.check(third, t("2026-03-14T20:59:59Z"))).isEqualTo(WAIT);
        assertThat(moscow.committedToday(t("2026-03-14T20:59:59Z"))).isEqualByComparingTo("2.00");
        // 00:00 in Moscow: a new budget day, nothing committed on it yet
        assertThat(moscow.check(third, t("2026-03-14T21:00:00Z"))).isEqualTo(GO);
        assertThat(moscow.committedToday(t("2026-03-14T21:00:00Z"))).isEqualByComparingTo("0");

        // the same instants in UTC are still the same day
        Spend utc = spend("2.00", null, ZoneId.of("UTC"), false, false);
        paid(utc, job(utc, "a", "c"), lateEvening);
        paid(utc, job(utc, "b", "c"), lateEvening);
        assertThat(utc.check(job(utc, "c", "c"), t("2026-03-14T21:00:00Z"))).isEqualTo(WAIT);
        assertThat(utc.check(job(utc, "c", "c"), t("2026-03-15T00:00:00Z"))).isEqualTo(GO);
    }

    @Test
    void a_charge_counts_on_the_day_its_submit_left_even_when_the_answer_comes_after_midnight() {
        Spend s = spend("1.00", null);
        Job a = job(s, "a", "c");
        s.submitting(a, t("2026-03-14T20:59:59.900Z"));   // 23:59:59.9 in Moscow
        s.taskCreated(a, "1");                             // answered after midnight

        assertThat(s.committedToday(t("2026-03-14T20:59:59.950Z"))).isEqualByComparingTo("1.00");
        assertThat(s.committedToday(t("2026-03-14T21:00:00.100Z"))).isEqualByComparingTo("0");
    }

    @Test
    void a_customer_over_its_own_budget_waits_while_another_customer_goes() {
        Spend s = spend(null, "1.00");
        Instant now = t("2026-03-14T10:00:00Z");
        paid(s, job(s, "a1", "alice"), now);

        assertThat(s.check(job(s, "a2", "alice"), now)).isEqualTo(WAIT);
        assertThat(s.check(job(s, "b1", "bob"), now)).isEqualTo(GO);
        assertThat(s.committedToday("alice", now)).isEqualByComparingTo("1.00");
        assertThat(s.committedToday("bob", now)).isEqualByComparingTo("0");
    }

    @Test
    void the_daily_and_the_customer_budget_both_apply() {
        Spend s = spend("2.00", "1.50");
        Instant now = t("2026-03-14T10:00:00Z");
        paid(s, job(s, "a1", "alice"), now);
        paid(s, job(s, "b1", "bob"), now);

        // bob has room of his own (1.00 of 1.50 used) but the day's 2.00 are committed
        Job cheap = job(s, "b2", "bob");
        cheap.taskPrice = new BigDecimal("0.50");
        assertThat(s.check(cheap, now)).isEqualTo(WAIT);
        assertThat(s.progress(List.of(cheap), now)).containsEntry("spent-today", "2.00/2.00USD")
                .containsEntry("held-by-budget", 1L);
    }

    @Test
    void a_submit_on_the_wire_holds_its_amount_and_only_a_confirmed_overrun_dead_letters() {
        Spend s = spend("1.00", null, MOSCOW, true, false);
        Instant now = t("2026-03-14T10:00:00Z");
        Job first = job(s, "first", "c");
        Job second = job(s, "second", "c");

        s.submitting(first, now);
        // the first may yet be refused (429): the second waits for its answer instead of dying for it
        assertThat(s.check(second, now)).isEqualTo(WAIT);
        s.noTask(first);
        assertThat(first.pendingCharge).isNull();
        assertThat(first.charges).isEmpty();
        assertThat(s.check(second, now)).isEqualTo(GO);

        s.submitting(first, now);
        s.taskCreated(first, "7");
        assertThat(s.check(second, now)).isEqualTo(BUDGET_EXCEEDED);
        assertThat(s.overBudgetMessage(second, now)).contains("1.00 USD", "the daily budget", "sora.budget.daily",
                "2026-03-14", "new request_id");
    }

    @Test
    void every_created_task_is_charged_so_resubmits_after_a_provider_timeout_add_up() {
        Spend s = spend("2.00", null);
        Instant now = t("2026-03-14T10:00:00Z");
        Job flaky = job(s, "flaky", "c");

        paid(s, flaky, now);      // timed out at the provider (status 4), resubmitted:
        paid(s, flaky, now.plusSeconds(400));

        assertThat(flaky.charges).hasSize(2);
        assertThat(flaky.charges).extracting(c -> c.taskId()).containsExactly("task-flaky-0", "task-flaky-1");
        assertThat(flaky.estimatedCost).isEqualByComparingTo("2.00");
        assertThat(s.committedToday(now)).isEqualByComparingTo("2.00");
        // a third resubmit of the same job is checked like any submit
        assertThat(s.check(flaky, now.plusSeconds(800))).isEqualTo(WAIT);
    }

    @Test
    void a_submit_whose_answer_never_came_is_counted_as_spent() {
        Spend s = spend("1.00", null);
        Instant now = t("2026-03-14T10:00:00Z");
        Job lost = job(s, "lost", "c");
        s.submitting(lost, now);
        s.maybeCreated(lost);

        assertThat(lost.charges).singleElement().satisfies(c -> {
            assertThat(c.uncertain()).isTrue();
            assertThat(c.taskId()).isNull();
        });
        assertThat(lost.estimatedCost).isEqualByComparingTo("1.00");
        assertThat(s.check(job(s, "next", "c"), now)).isEqualTo(WAIT);
    }

    @Test
    void a_restart_derives_the_days_spend_from_the_job_records() throws Exception {
        Instant now = t("2026-03-14T10:00:00Z");
        Spend before = spend("3.00", "2.00");
        FileJobRepository store = new FileJobRepository(dir, json);
        Job a = job(before, "a", "alice");
        paid(before, a, now);
        paid(before, a, now); // resubmitted once
        store.create(a);
        Job b = job(before, "b", "bob");
        paid(before, b, now);
        store.create(b);
        Job old = job(before, "old", "bob");
        paid(before, old, now.minusSeconds(3 * 86400)); // three days ago: no longer counted
        store.create(old);
        Job waiting = job(before, "waiting", "carol");
        store.create(waiting);
        assertThat(before.check(waiting, now)).isEqualTo(WAIT);

        Spend after = spend("3.00", "2.00");
        store.close();
        store = new FileJobRepository(dir, json); // read back from the files, as a restart does
        after.rebuild(store.chargedSince(Instant.EPOCH), now);

        assertThat(after.committedToday(now)).isEqualByComparingTo("3.00");
        assertThat(after.committedToday("alice", now)).isEqualByComparingTo("2.00");
        assertThat(after.committedToday("bob", now)).isEqualByComparingTo("1.00");
        assertThat(after.check(waiting, now)).isEqualTo(WAIT);
        // the budget raised at the restart lets it go
        Spend raised = spend("4.00", "2.00");
        raised.rebuild(store.chargedSince(Instant.EPOCH), now);
        store.close();
        assertThat(raised.check(waiting, now)).isEqualTo(GO);
    }

    @Test
    void a_record_from_before_prices_counts_its_created_tasks_at_todays_price() {
        Spend s = spend("2.00", null);
        Instant now = t("2026-03-14T10:00:00Z");
        Job legacy = job(s, "legacy", "c");
        legacy.taskPrice = null;
        legacy.currency = null;
        legacy.tasksCreated = 2;
        legacy.submittedAt = now.minusSeconds(60);
        legacy.state = JobState.STORED;

        s.rebuild(List.of(legacy), now);

        assertThat(s.committedToday(now)).isEqualByComparingTo("2.00");
    }

    @Test
    void queued_jobs_are_priced_again_at_a_restart_as_the_table_now_stands() throws Exception {
        Spend s = spend(null, null);
        Job queued = job(s, "q", "c");
        queued.taskPrice = new BigDecimal("99");

        s.rebuild(List.of(queued), Instant.now());

        assertThat(queued.taskPrice).isEqualByComparingTo(ONE);
    }

    @Test
    void a_model_without_a_price_is_refused_or_with_allow_goes_unbudgeted() throws Exception {
        PriceTable onlyTwo = PriceTableTest.read(PriceTableTest.yaml("""
                currency: USD
                models:
                  yesai:
                    "2": {per-second: 0.10}
                """));
        table = onlyTwo;
        Instant now = t("2026-03-14T10:00:00Z");
        Spend refuse = spend("1.00", null);
        Job pro = job(refuse, "pro", "c", "2.pro", 1080, 15);

        assertThat(pro.taskPrice).isNull();
        assertThat(refuse.check(pro, now)).isEqualTo(PRICE_NOT_FOUND);
        assertThat(refuse.refuseUnpriced("yesai", pro.request).code()).isEqualTo("PRICE_NOT_FOUND");
        assertThat(refuse.refuseUnpriced("yesai", pro.request).message()).contains("2.pro", "1080", "models.yesai",
                "sora.prices.unpriced=allow");
        assertThat(refuse.refuseUnpriced("yesai", job(refuse, "two", "c").request)).isNull();

        Spend allow = spend("1.00", null, MOSCOW, false, true);
        Job pro2 = job(allow, "pro2", "c", "2.pro", 1080, 15);
        assertThat(allow.refuseUnpriced("yesai", pro2.request)).isNull();
        assertThat(allow.check(pro2, now)).isEqualTo(GO);
        allow.submitting(pro2, now);
        allow.taskCreated(pro2, "1");
        assertThat(pro2.charges).singleElement().satisfies(c -> assertThat(c.amount()).isNull());
        assertThat(pro2.estimatedCost).isNull();
        assertThat(allow.committedToday(now)).isEqualByComparingTo("0");
    }

    @Test
    void a_named_pipeline_reads_its_own_keys_and_names_them_in_what_it_says() {
        Map<String, String> props = Map.of("orders.budget.daily", "2.00", "orders.budget.over", "dead-letter",
                "sora.budget.daily", "99");
        SpendSettings orders = SpendSettings.read(new dev.soracamel.config.Props(
                k -> java.util.Optional.ofNullable(props.get(k)), "orders"), "UTC");

        assertThat(orders.daily()).isEqualByComparingTo("2.00");
        assertThat(orders.deadLetterOver()).isTrue();
        Spend s = Spend.of(orders, table, Map.of("yesai", "yesai"), Map.of("yesai", yesai));
        Instant now = t("2026-03-14T10:00:00Z");
        paid(s, job(s, "a", "c"), now);
        paid(s, job(s, "b", "c"), now);
        assertThat(s.overBudgetMessage(job(s, "c", "c"), now)).contains("orders.budget.daily", "orders.budget.over")
                .doesNotContain("sora.");
        assertThat(s.unpricedMessage("yesai", json.createObjectNode().put("version", "9")
                .put("resolution", 720).put("duration", 10))).contains("orders.prices.unpriced=allow");
    }

    @Test
    void without_budgets_every_priced_job_goes() {
        Spend s = spend(null, null);
        Instant now = t("2026-03-14T10:00:00Z");
        for (int i = 0; i < 20; i++) {
            paid(s, job(s, "j" + i, "c"), now);
        }
        assertThat(s.committedToday(now)).isEqualByComparingTo("20.00");
        assertThat(s.progress(List.of(), now)).containsEntry("spent-today", "20.00USD").doesNotContainKey("held-by-budget");
    }
}
