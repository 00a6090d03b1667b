package dev.soracamel.flow;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import dev.soracamel.provider.ListedTask;
import dev.soracamel.provider.LookupResult;
import dev.soracamel.provider.OpenAiAdapter;
import dev.soracamel.provider.ProviderTypes;
import dev.soracamel.validate.OpenAiCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lookup of a lost submit's task in the provider's list: which listed task matches, and what the job
 * does with what the pages show. Only one match in a window the pages cover is adopted.
 */
class LostTaskLookupTest {

    static final String PROMPT = "A lighthouse at dawn, waves breaking";

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();
    final List<JobBoard> boards = new ArrayList<>();

    @AfterEach
    void close() {
        boards.forEach(b -> b.repository().close());
    }

    // ---------------------------------------------------------------- the rule alone

    static ListedTask want() {
        return new ListedTask(null, "sora-2", "1280x720", "4", PROMPT, null);
    }

    static ListedTask listed(String id, Instant created) {
        return new ListedTask(id, "sora-2", "1280x720", "4", PROMPT, created);
    }

    @Test
    void the_rule_wants_every_field_alike_and_the_creation_inside_the_window() {
        Instant from = Instant.parse("2026-11-29T12:00:00Z");
        Instant to = from.plusSeconds(40);
        assertThat(LostTaskMatch.matches(want(), listed("v", from.plusSeconds(3)), from, to)).isTrue();
        // the prompt counts only where the list shows it
        assertThat(LostTaskMatch.matches(want(), new ListedTask("v", "sora-2", "1280x720", "4", null,
                from.plusSeconds(3)), from, to)).isTrue();
        assertThat(LostTaskMatch.matches(want(), new ListedTask("v", "sora-2", "1280x720", "4", "Another prompt",
                from.plusSeconds(3)), from, to)).isFalse();
        assertThat(LostTaskMatch.matches(want(), new ListedTask("v", "sora-2-pro", "1280x720", "4", PROMPT,
                from.plusSeconds(3)), from, to)).isFalse();
        assertThat(LostTaskMatch.matches(want(), new ListedTask("v", "sora-2", "720x1280", "4", PROMPT,
                from.plusSeconds(3)), from, to)).isFalse();
        assertThat(LostTaskMatch.matches(want(), new ListedTask("v", "sora-2", "1280x720", "8", PROMPT,
                from.plusSeconds(3)), from, to)).isFalse();
        // created_at comes in whole seconds: a second before the POST left is still inside
        assertThat(LostTaskMatch.matches(want(), listed("v", from.minusSeconds(1)), from, to)).isTrue();
        assertThat(LostTaskMatch.matches(want(), listed("v", from.minusSeconds(60)), from, to)).isFalse();
        assertThat(LostTaskMatch.matches(want(), listed("v", to.plusSeconds(60)), from, to)).isFalse();
        // a task the list cannot place in time, or name, is never ours
        assertThat(LostTaskMatch.matches(want(), listed("v", null), from, to)).isFalse();
        assertThat(LostTaskMatch.matches(want(), listed(null, from.plusSeconds(3)), from, to)).isFalse();
    }

    // ---------------------------------------------------------------- the board

    JobBoard board(Map<String, String> extra) throws Exception {
        return board(extra, false);
    }

    JobBoard board(Map<String, String> extra, boolean priced) throws Exception {
        Map<String, String> p = new HashMap<>(Map.of(
                "sora.providers", "oai",
                "sora.provider.oai.type", "openai-compatible",
                "sora.provider.oai.base-url", "http://127.0.0.1:9",
                "sora.provider.oai.token", "t",
                "sora.provider.oai.tariff", "2",
                "sora.provider.oai.submit-spacing", "0ms",
                "sora.provider.oai.status-spacing", "0ms",
                "sora.submit.lookup.first-delay", "0ms"));
        p.putAll(extra);
        SoraSettings s = SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))), ProviderTypes.onClasspath());
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/openai-compatible.yaml")) {
            OpenAiAdapter a = new OpenAiAdapter(s.provider("oai"), OpenAiCatalog.read(in), json);
            dev.soracamel.spend.Spend spend = dev.soracamel.spend.Spend.off(java.time.ZoneId.of("UTC"));
            if (priced) {
                try (var prices = getClass().getResourceAsStream("/dev/soracamel/prices.yaml")) {
                    spend = dev.soracamel.spend.Spend.of(new dev.soracamel.spend.SpendSettings(
                                    List.of("classpath:dev/soracamel/prices.yaml"), false, new java.math.BigDecimal("100"),
                                    null, java.time.ZoneId.of("UTC"), false, "sora"),
                            dev.soracamel.spend.PriceTable.read(List.of(prices), List.of("prices.yaml")),
                            Map.of("oai", "openai-compatible"), Map.of("oai", a));
                }
            }
            JobBoard b = new JobBoard(s, new FileJobRepository(dir, json), new BanList(dir.resolve("bans.txt")),
                    Map.of("oai", a), spend);
            boards.add(b);
            b.start();
            return b;
        }
    }

    Job job(String id) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "oai";
        j.customerId = "c";
        j.model = "sora-2";
        j.source = id + ".json";
        j.request = json.createObjectNode().put("model", "sora-2").put("prompt", PROMPT).put("size", "1280x720")
                .put("seconds", "4");
        return j;
    }

    /** A job whose submit left and got no answer: it is now looking its task up. */
    Job lost(JobBoard board, String id) {
        assertThat(board.accept(job(id))).isTrue();
        JobBoard.Pick submit = board.pickSubmit("oai");
        assertThat(submit.next()).isEqualTo(Next.SUBMIT);
        assertThat(board.submitFailed(submit.job(), new SocketTimeoutException("Read timed out"))).isEqualTo(Next.WAIT);
        Job j = board.find(id).orElseThrow();
        assertThat(j.state).as("the job holds its slot while it looks").isEqualTo(JobState.POLLING);
        assertThat(j.lookup).isNotNull();
        assertThat(j.taskId).isNull();
        return j;
    }

    /** The lookup's page call, claimed through the status gate like a status check. */
    Job pickLookup(JobBoard board) {
        JobBoard.Pick pick = board.pickStatusCheck("oai");
        assertThat(pick).isNotNull();
        assertThat(pick.job().lookup).isNotNull();
        return pick.job();
    }

    static ListedTask other(String id, Instant created) {
        return new ListedTask(id, "sora-2", "1280x720", "4", "Somebody else's prompt", created);
    }

    @Test
    void exactly_one_match_is_adopted_and_polled_as_a_created_task() throws Exception {
        JobBoard board = board(Map.of());
        lost(board, "one");
        Job j = pickLookup(board);
        Instant now = Instant.now();
        Next next = board.lookupAnswered(j, LookupResult.page(List.of(other("video_b", now), listed("video_a", now),
                listed("video_old", now.minus(Duration.ofHours(1)))), true, "video_old"));

        assertThat(next).isEqualTo(Next.WAIT);
        Job after = board.find("one").orElseThrow();
        assertThat(after.state).isEqualTo(JobState.POLLING);
        assertThat(after.lookup).isNull();
        assertThat(after.taskId).isEqualTo("video_a");
        assertThat(after.tasksCreated).isEqualTo(1);
        assertThat(after.statusChecks).isZero();
        assertThat(after.history).anySatisfy(e -> assertThat(e.event() + " " + e.detail())
                .isEqualTo("adopted task video_a after a lost answer"));
        assertThat(after.nextCheckAt).as("the task's first-check delay counts from the lost answer")
                .isAfter(after.submittedAt.plusSeconds(29));
    }

    @Test
    void no_match_is_settled_as_today_and_the_dead_letter_says_what_was_looked_at() throws Exception {
        JobBoard board = board(Map.of());
        lost(board, "none");
        Job j = pickLookup(board);
        Instant now = Instant.now();
        Next next = board.lookupAnswered(j, LookupResult.page(List.of(other("video_b", now)), false, "video_b"));

        assertThat(next).isEqualTo(Next.DEAD_LETTER);
        Job dead = board.find("none").orElseThrow();
        assertThat(dead.deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(dead.deadLetter.message()).contains("Read timed out").contains("1 listed").contains("none matches");
        assertThat(dead.slotHeldUntil).as("the phantom slot rule applies as before").isAfter(now);
        assertThat(dead.lookup).isNull();
    }

    @Test
    void two_matches_adopt_neither() throws Exception {
        JobBoard board = board(Map.of());
        lost(board, "two");
        Job j = pickLookup(board);
        Instant now = Instant.now();
        Next next = board.lookupAnswered(j, LookupResult.page(List.of(listed("video_x", now), listed("video_y", now)),
                false, "video_y"));

        assertThat(next).isEqualTo(Next.DEAD_LETTER);
        Job dead = board.find("two").orElseThrow();
        assertThat(dead.taskId).isNull();
        assertThat(dead.tasksCreated).isZero();
        assertThat(dead.deadLetter.message()).contains("2 match (video_x, video_y) so none was adopted");
    }

    @Test
    void a_lookalike_created_before_the_submit_left_is_not_adopted() throws Exception {
        JobBoard board = board(Map.of());
        lost(board, "early");
        Job j = pickLookup(board);
        Instant before = Instant.now().minus(Duration.ofMinutes(5));
        Next next = board.lookupAnswered(j, LookupResult.page(List.of(listed("video_old", before)), true, "video_old"));

        assertThat(next).as("a task older than the window ends the search: the rest are older still")
                .isEqualTo(Next.DEAD_LETTER);
        assertThat(board.find("early").orElseThrow().deadLetter.message()).contains("none matches");
    }

    @Test
    void the_next_page_is_read_through_the_gate_until_the_list_leaves_the_window() throws Exception {
        JobBoard board = board(Map.of());
        lost(board, "paged");
        Job j = pickLookup(board);
        Instant now = Instant.now();
        assertThat(board.lookupAnswered(j, LookupResult.page(List.of(other("video_1", now), other("video_2", now)),
                true, "video_2"))).isEqualTo(Next.WAIT);
        Job waiting = board.find("paged").orElseThrow();
        assertThat(waiting.lookup.after).isEqualTo("video_2");
        assertThat(waiting.lookup.pages).isEqualTo(1);

        Job second = pickLookup(board);
        assertThat(second.lookup.after).isEqualTo("video_2");
        board.lookupAnswered(second, LookupResult.page(List.of(listed("video_3", now),
                other("video_4", now.minus(Duration.ofHours(2)))), true, "video_4"));
        Job adopted = board.find("paged").orElseThrow();
        assertThat(adopted.taskId).isEqualTo("video_3");
        assertThat(adopted.history).anySatisfy(e -> assertThat(e.event()).isEqualTo("adopted"));
    }

    @Test
    void a_window_the_page_bound_did_not_cover_adopts_nothing() throws Exception {
        JobBoard board = board(Map.of("sora.submit.lookup.max-pages", "1"));
        lost(board, "bounded");
        Job j = pickLookup(board);
        Instant now = Instant.now();
        Next next = board.lookupAnswered(j, LookupResult.page(List.of(listed("video_a", now)), true, "video_a"));

        assertThat(next).isEqualTo(Next.DEAD_LETTER);
        assertThat(board.find("bounded").orElseThrow().deadLetter.message())
                .contains("was not read back to the submit's time");
    }

    @Test
    void failed_pages_are_retried_with_backoff_a_bounded_number_of_times() throws Exception {
        JobBoard board = board(Map.of("sora.submit.lookup.max-failures", "2", "sora.provider.oai.poll-interval", "0s",
                "sora.retry.initial-backoff", "0ms", "sora.retry.max-backoff", "0ms"));
        lost(board, "flaky");
        for (int i = 1; i <= 2; i++) {
            Job j = pickLookup(board);
            assertThat(board.lookupAnswered(j, LookupResult.error(LookupResult.Kind.RETRY, "HTTP_502", "bad gateway",
                    502, null))).isEqualTo(Next.WAIT);
            assertThat(board.find("flaky").orElseThrow().lookup.failures).isEqualTo(i);
        }
        Job j = pickLookup(board);
        assertThat(board.lookupFailed(j, new SocketTimeoutException("Read timed out"))).isEqualTo(Next.DEAD_LETTER);
        Job dead = board.find("flaky").orElseThrow();
        assertThat(dead.deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(dead.deadLetter.message()).contains("could not be looked up").contains("failed 3 times");
    }

    @Test
    void with_resubmits_allowed_an_unsettled_lookup_requeues_with_the_same_idempotency_key() throws Exception {
        JobBoard board = board(Map.of("sora.submit.resubmit-on-unknown-outcome", "true"));
        Job first = lost(board, "again");
        String key = dev.soracamel.provider.IdempotencyKey.of(first);
        Job j = pickLookup(board);
        board.lookupAnswered(j, LookupResult.page(List.of(), false, null));

        Job queued = board.find("again").orElseThrow();
        assertThat(queued.state).isEqualTo(JobState.QUEUED);
        assertThat(dev.soracamel.provider.IdempotencyKey.of(queued)).isEqualTo(key);
        queued.timeoutResubmits++;
        assertThat(dev.soracamel.provider.IdempotencyKey.of(queued)).as("a deliberate new task gets a new key")
                .isNotEqualTo(key);
    }

    @Test
    void a_status_check_is_not_spent_on_a_lookup() throws Exception {
        JobBoard board = board(Map.of());
        lost(board, "count");
        Job j = pickLookup(board);
        assertThat(j.statusChecks).isZero();
    }

    @Test
    void a_submit_left_on_the_wire_by_a_dead_process_is_looked_up_not_dead_lettered() throws Exception {
        Job j = job("on-the-wire");
        j.account = "sora.oai";
        j.state = JobState.SUBMITTING;
        j.submitSentAt = Instant.now().minusSeconds(5);
        j.claimedBy = "dead-host/1/x";
        j.claimUntil = Instant.now().plusSeconds(3600);
        try (FileJobRepository repo = new FileJobRepository(dir, json)) {
            repo.create(j);
        }
        JobBoard board = board(Map.of());
        JobBoard.Recovery r = board.recover();

        assertThat(r.deadLetters()).isEmpty();
        Job looking = board.find("on-the-wire").orElseThrow();
        assertThat(looking.state).isEqualTo(JobState.POLLING);
        assertThat(looking.lookup.why).contains("stopped before its answer came");
        assertThat(board.queries().counts().get("active")).as("it holds its slot, not a phantom one").isEqualTo(1);
        assertThat(looking.slotHeldUntil).isNull();
        Job page = pickLookup(board);
        board.lookupAnswered(page, LookupResult.page(List.of(listed("video_w", Instant.now())), false, "video_w"));
        assertThat(board.find("on-the-wire").orElseThrow().taskId).isEqualTo("video_w");
    }

    @Test
    void while_it_looks_the_charge_counts_as_spent_and_an_adopted_task_takes_it_over() throws Exception {
        JobBoard board = board(Map.of(), true);
        Job looking = lost(board, "priced");
        assertThat(looking.pendingCharge).isNull();
        assertThat(looking.charges).singleElement().satisfies(c -> assertThat(c.uncertain()).isTrue());
        Instant now = Instant.now();
        java.math.BigDecimal committed = board.spend().committedToday(now);
        assertThat(committed).isEqualByComparingTo("0.40"); // sora-2, 4 s at 0.10 a second
        board.spend().rebuild(board.repository().chargedSince(now.minusSeconds(3600)), now);
        assertThat(board.spend().committedToday(now)).as("a restart counts it too").isEqualByComparingTo(committed);

        Job j = pickLookup(board);
        board.lookupAnswered(j, LookupResult.page(List.of(listed("video_p", now)), false, "video_p"));
        Job adopted = board.find("priced").orElseThrow();
        assertThat(adopted.charges).singleElement().satisfies(c -> {
            assertThat(c.taskId()).isEqualTo("video_p");
            assertThat(c.uncertain()).isNull();
        });
        assertThat(adopted.estimatedCost).isEqualByComparingTo("0.40");
        assertThat(board.spend().committedToday(now)).as("paid once").isEqualByComparingTo(committed);
    }
}
