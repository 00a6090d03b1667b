package dev.soracamel.flow;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.job.Charge;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The redrive rules (which dead-letter codes may go back, and how) and the board's redrive on the file repository:
 * refusals, the double-payment flag, idempotency, and a redrive that survives a restart.
 */
class RedriveTest {

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();
    final List<JobBoard> boards = new ArrayList<>();

    @AfterEach
    void close() {
        boards.forEach(b -> b.repository().close());
    }

    JobBoard board() throws Exception {
        JobBoard b = YesAiBoards.create(YesAiBoards.settings(Map.of("sora.work", dir.resolve("work").toString())),
                new FileJobRepository(dir.resolve("jobs"), json), dir.resolve("bans.txt"), json);
        boards.add(b);
        return b;
    }

    /** A job dead-lettered with this code after one paid task, its dead letter written and announced. */
    Job dead(String id, String code) {
        return deadJob(json, id, code);
    }

    /** The same, for the other redrive tests. */
    static Job deadJob(ObjectMapper json, String id, String code) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.account = "sora.yesai";
        j.customerId = "c1";
        j.model = "2";
        j.request = json.createObjectNode().put("version", "2").put("prompt", "a cat on a beach")
                .put("resolution", 720).put("dimensions", "16:9").put("duration", 10).put("customer_id", "c1");
        j.acceptedAt = Instant.parse("2026-01-02T03:04:05Z");
        j.record("accepted", "test");
        j.state = JobState.DEAD;
        j.taskId = "100001";
        j.taskIds.add("100001");
        j.tasksCreated = 1;
        j.timeoutResubmits = 1;
        j.statusChecks = 60;
        j.downloadAttempts = 2;
        j.charges.add(new Charge(Instant.parse("2026-01-02T03:05:00Z"), new BigDecimal("1.00"), "100001", null));
        j.estimatedCost = new BigDecimal("1.00");
        j.currency = "USD";
        j.deadAt = Instant.parse("2026-01-02T04:00:00Z");
        j.deadCode = code;
        j.deadLetter = DeadLetter.of(id, code, "test");
        j.deadLetterWritten = true;
        j.record("dead-lettered", code);
        return j;
    }

    // ---------------------------------------------------------------- the rules

    @ParameterizedTest
    @ValueSource(strings = {"BUDGET_EXCEEDED", "PRICE_NOT_FOUND", "POLL_ATTEMPTS_EXHAUSTED", "TASK_TIMED_OUT",
            "NOT_ENOUGH_RPOINTS", "UNAUTHORIZED", "CUSTOMER_BANNED", "USER_HAS_BEEN_BANNED", "INTERNAL_SERVER_ERROR",
            "CONNECTION_FAILED"})
    void codes_where_nothing_can_be_paid_twice_are_resubmitted_without_the_flag(String code) {
        assertThat(Redrive.rule(code).kind()).isEqualTo(Redrive.Kind.RESUBMIT);
        Redrive.Decision d = Redrive.decide(dead("j", code), false, false, false);
        assertThat(d.go()).isTrue();
        assertThat(d.resumesAt()).isEqualTo(Redrive.Step.SUBMIT);
        assertThat(d.mayPayTwice()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"TASK_REJECTED", "PROMPT_NSFW_WORDS", "PROMPT_EN_NSFW_WORDS", "PROMPT_FAILED_TO_TRANSLATE",
            "PARAMETERS_IS_NOT_ALLOWED", "USER_HAS_BEEN_DELETED", "INTERNAL_ERROR", "DURATION_NOT_VALID",
            "PROMPT_IS_EMPTY", "MALFORMED_JSON", "CUSTOMER_ID_IS_EMPTY", "A_CODE_NOBODY_LISTED", "HTTP_418"})
    void codes_where_the_request_must_change_and_unlisted_codes_are_refused_even_with_the_flag(String code) {
        assertThat(Redrive.rule(code).kind()).isEqualTo(Redrive.Kind.REFUSED);
        Redrive.Decision d = Redrive.decide(dead("j", code), true, false, true);
        assertThat(d.go()).isFalse();
        assertThat(d.refusal()).isEqualTo("REDRIVE_REFUSED");
        assertThat(d.message()).startsWith(code + " may not be redriven");
    }

    @ParameterizedTest
    @ValueSource(strings = {"SUBMIT_OUTCOME_UNKNOWN", "ID_NOT_FOUND", "UNEXPECTED_RESPONSE", "PROVIDER_NOT_CONFIGURED"})
    void codes_where_a_paid_task_may_exist_need_the_flag_and_then_say_they_may_pay_twice(String code) {
        Redrive.Decision without = Redrive.decide(dead("j", code), false, false, false);
        assertThat(without.go()).isFalse();
        assertThat(without.refusal()).isEqualTo("DOUBLE_PAYMENT_NOT_ACCEPTED");
        assertThat(without.message()).contains("accept_possible_double_payment");

        Redrive.Decision with = Redrive.decide(dead("j", code), false, false, true);
        assertThat(with.go()).isTrue();
        assertThat(with.resumesAt()).isEqualTo(Redrive.Step.SUBMIT);
        assertThat(with.mayPayTwice()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"STORAGE_FAILED", "RESULT_LINK_EXPIRED", "DOWNLOAD_FAILED", "DOWNLOAD_INCOMPLETE",
            "DOWNLOAD_TOO_LARGE"})
    void a_paid_video_that_is_kept_is_stored_again_and_one_that_is_not_needs_the_flag(String code) {
        Redrive.Decision kept = Redrive.decide(dead("j", code), true, false, false);
        assertThat(kept.go()).isTrue();
        assertThat(kept.resumesAt()).isEqualTo(Redrive.Step.STORE);
        assertThat(kept.mayPayTwice()).isFalse();

        Redrive.Decision keptWithFlag = Redrive.decide(dead("j", code), true, false, true);
        assertThat(keptWithFlag.resumesAt()).as("the flag never makes a kept video paid again")
                .isEqualTo(Redrive.Step.STORE);

        Redrive.Decision gone = Redrive.decide(dead("j", code), false, false, false);
        assertThat(gone.go()).isFalse();
        assertThat(gone.refusal()).isEqualTo("DOUBLE_PAYMENT_NOT_ACCEPTED");
        Redrive.Decision goneWithFlag = Redrive.decide(dead("j", code), false, false, true);
        assertThat(goneWithFlag.resumesAt()).isEqualTo(Redrive.Step.SUBMIT);
        assertThat(goneWithFlag.mayPayTwice()).isTrue();
    }

    @Test
    void a_customer_still_on_the_ban_list_is_refused_until_its_line_is_removed() {
        Redrive.Decision d = Redrive.decide(dead("j", "CUSTOMER_BANNED"), false, true, true);
        assertThat(d.go()).isFalse();
        assertThat(d.refusal()).isEqualTo("CUSTOMER_STILL_BANNED");
        assertThat(Redrive.decide(dead("j", "CUSTOMER_BANNED"), false, false, false).go()).isTrue();
    }

    @Test
    void every_listed_rule_says_why_in_words() {
        assertThat(Redrive.rules()).isNotEmpty().allSatisfy(r -> assertThat(r.why()).hasSizeGreaterThan(20));
    }

    @Test
    void the_readme_table_names_every_listed_code_but_the_validation_codes_it_sums_up() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int from = readme.indexOf("\n## Redrive\n");
        assertThat(from).isPositive();
        String section = readme.substring(from, readme.indexOf("\n## ", from + 5));
        assertThat(Redrive.rules().stream().filter(r -> !r.why().startsWith("the request is not valid"))
                .map(Redrive.Rule::code)).allSatisfy(code -> assertThat(section).contains("`" + code + "`"));
    }

    @Test
    void each_redrive_gives_the_next_dead_letter_a_name_of_its_own() {
        Job j = dead("cat", "POLL_ATTEMPTS_EXHAUSTED");
        assertThat(Redrive.deadLetterName(j)).isEqualTo("cat");
        Redrive.apply(j, Redrive.decide(j, false, false, false), Instant.now(), "test");
        assertThat(j.redrive.deadLetter).as("the one it came from").isEqualTo("cat");
        assertThat(Redrive.deadLetterName(j)).isEqualTo("cat~redrive-1");
        j.state = JobState.DEAD;
        j.deadCode = "POLL_ATTEMPTS_EXHAUSTED";
        j.deadLetter = DeadLetter.of("cat", "POLL_ATTEMPTS_EXHAUSTED", "again");
        Redrive.apply(j, Redrive.decide(j, false, false, false), Instant.now(), "test");
        assertThat(j.redrive.deadLetter).isEqualTo("cat~redrive-1");
        assertThat(Redrive.deadLetterName(j)).isEqualTo("cat~redrive-2");
    }

    // ---------------------------------------------------------------- the board

    @Test
    void a_redrive_queues_the_job_again_under_its_id_and_keeps_its_history_attempts_tasks_and_charges() throws Exception {
        JobBoard b = board();
        assertThat(b.repository().create(dead("cat", "POLL_ATTEMPTS_EXHAUSTED"))).isTrue();

        JobBoard.RedriveAnswer a = b.redrive("cat", false, "test");

        assertThat(a.outcome()).isEqualTo("redriven");
        assertThat(a.body()).containsEntry("state", "QUEUED").containsEntry("resumes_at", "submit")
                .containsEntry("redrive_count", 1).containsEntry("dead_letter", "cat");
        Job j = b.find("cat").orElseThrow();
        assertThat(j.state).isEqualTo(JobState.QUEUED);
        assertThat(j.taskIds).containsExactly("100001");
        assertThat(j.taskId).as("the failed attempt's task is no longer current").isNull();
        assertThat(j.tasksCreated).isEqualTo(1);
        assertThat(j.timeoutResubmits).isEqualTo(1);
        assertThat(j.downloadAttempts).isEqualTo(2);
        assertThat(j.statusChecks).as("checks count per task").isZero();
        assertThat(j.charges).hasSize(1);
        assertThat(j.estimatedCost).isEqualByComparingTo("1.00");
        assertThat(j.deadCode).isNull();
        assertThat(j.deadLetterWritten).isFalse();
        assertThat(j.redrive.count).isEqualTo(1);
        assertThat(j.redrive.by).isEqualTo("test");
        assertThat(j.redrive.fromCode).isEqualTo("POLL_ATTEMPTS_EXHAUSTED");
        assertThat(j.history.stream().map(Job.Event::event)).containsExactly("accepted", "dead-lettered", "redriven");
    }

    @Test
    void a_second_redrive_while_the_job_is_under_way_changes_nothing_and_says_so() throws Exception {
        JobBoard b = board();
        b.repository().create(dead("cat", "BUDGET_EXCEEDED"));
        assertThat(b.redrive("cat", false, "first").outcome()).isEqualTo("redriven");
        long version = b.find("cat").orElseThrow().version;

        JobBoard.RedriveAnswer again = b.redrive("cat", true, "second");

        assertThat(again.outcome()).isEqualTo("unchanged");
        assertThat(again.body()).containsEntry("state", "QUEUED").containsEntry("redrive_count", 1);
        assertThat((String) again.body().get("message")).contains("nothing changed", "by first");
        Job j = b.find("cat").orElseThrow();
        assertThat(j.version).as("nothing written").isEqualTo(version);
        assertThat(j.redrive.by).isEqualTo("first");
    }

    @Test
    void a_job_that_is_not_dead_or_not_there_is_not_redriven() throws Exception {
        JobBoard b = board();
        Job queued = dead("queued", "BUDGET_EXCEEDED");
        queued.state = JobState.QUEUED;
        b.repository().create(queued);
        Job stored = dead("stored", "BUDGET_EXCEEDED");
        stored.state = JobState.STORED;
        stored.storedLocation = "/out/c1/stored.mp4";
        b.repository().create(stored);

        JobBoard.RedriveAnswer q = b.redrive("queued", false, "t");
        assertThat(q.outcome()).isEqualTo("not_dead");
        assertThat(q.body()).containsEntry("code", "JOB_NOT_DEAD");
        assertThat((String) q.body().get("message")).contains("is QUEUED, not DEAD");
        JobBoard.RedriveAnswer s = b.redrive("stored", false, "t");
        assertThat(s.outcome()).isEqualTo("not_dead");
        assertThat((String) s.body().get("message")).contains("/out/c1/stored.mp4");
        assertThat(b.redrive("nobody", false, "t").outcome()).isEqualTo("not_found");
        assertThat(b.redrive("../work/jobs/cat", false, "t").outcome()).as("no id, no path").isEqualTo("not_found");
        assertThat(b.redrive(null, false, "t").outcome()).isEqualTo("not_found");
    }

    @Test
    void a_refused_code_leaves_the_job_dead_and_its_record_unwritten() throws Exception {
        JobBoard b = board();
        b.repository().create(dead("nsfw", "TASK_REJECTED"));
        long version = b.find("nsfw").orElseThrow().version;

        JobBoard.RedriveAnswer a = b.redrive("nsfw", true, "t");

        assertThat(a.outcome()).isEqualTo("refused");
        assertThat(a.body()).containsEntry("code", "REDRIVE_REFUSED").containsEntry("dead_letter_code", "TASK_REJECTED");
        Job j = b.find("nsfw").orElseThrow();
        assertThat(j.state).isEqualTo(JobState.DEAD);
        assertThat(j.version).isEqualTo(version);
        assertThat(j.redrive).isNull();
    }

    @Test
    void an_unknown_submit_outcome_needs_the_flag_and_the_answer_says_what_it_may_cost() throws Exception {
        JobBoard b = board();
        b.repository().create(dead("lost", "SUBMIT_OUTCOME_UNKNOWN"));

        JobBoard.RedriveAnswer refused = b.redrive("lost", false, "t");
        assertThat(refused.outcome()).isEqualTo("refused");
        assertThat(refused.body()).containsEntry("code", "DOUBLE_PAYMENT_NOT_ACCEPTED");
        assertThat(refused.body()).containsKey("may_cost");
        assertThat(b.find("lost").orElseThrow().state).isEqualTo(JobState.DEAD);

        JobBoard.RedriveAnswer accepted = b.redrive("lost", true, "t");
        assertThat(accepted.outcome()).isEqualTo("redriven");
        @SuppressWarnings("unchecked")
        Map<String, Object> cost = (Map<String, Object>) accepted.body().get("may_cost");
        assertThat(cost).containsEntry("estimated_so_far", new BigDecimal("1.00"));
        assertThat((String) cost.get("note")).contains("may pay twice");
        assertThat(b.find("lost").orElseThrow().redrive.acceptedDoublePayment).isTrue();
    }

    @Test
    void a_dead_letter_still_being_written_is_not_redriven_yet() throws Exception {
        JobBoard b = board();
        Job j = dead("busy", "BUDGET_EXCEEDED");
        j.notifyPending = true;
        b.repository().create(j);
        JobBoard.RedriveAnswer a = b.redrive("busy", false, "t");
        assertThat(a.outcome()).isEqualTo("refused");
        assertThat(a.body()).containsEntry("code", "DEAD_LETTER_IN_PROGRESS");
    }

    @Test
    void a_kept_video_resumes_at_the_store_without_a_submit() throws Exception {
        JobBoard b = board();
        Path kept = dir.resolve("work/kept/owl.mp4");
        Files.createDirectories(kept.getParent());
        Files.write(kept, new byte[]{0, 0, 0, 8, 'f', 't', 'y', 'p'});
        Job j = dead("owl", "STORAGE_FAILED");
        j.downloadedFile = kept.toString();
        j.videoBytes = 8L;
        j.completedSeenAt = Instant.parse("2026-01-02T03:30:00Z");
        j.storeFailures = 40;
        j.storeFailingSince = Instant.parse("2026-01-02T03:31:00Z");
        b.repository().create(j);

        JobBoard.RedriveAnswer a = b.redrive("owl", false, "t");

        assertThat(a.outcome()).isEqualTo("redriven");
        assertThat(a.body()).containsEntry("resumes_at", "store").containsEntry("state", "STORING");
        @SuppressWarnings("unchecked")
        Map<String, Object> cost = (Map<String, Object>) a.body().get("may_cost");
        assertThat((BigDecimal) cost.get("amount")).isEqualByComparingTo("0");
        Job after = b.find("owl").orElseThrow();
        assertThat(after.downloadedFile).isEqualTo(kept.toString());
        assertThat(after.storeFailingSince).as("the outage clock starts over").isNull();
        assertThat(after.taskIds).containsExactly("100001");
        // this node found the video, so this node stores it: no other node's recover step takes it meanwhile
        assertThat(after.claimedBy).isEqualTo(b.repository().node());
        assertThat(after.claimUntil).isAfter(b.repository().now());
        assertThat(b.recover().stores()).isEmpty();
    }

    @Test
    void a_redrive_survives_a_restart_and_is_not_done_twice_after_it() throws Exception {
        JobBoard first = board();
        first.repository().create(dead("cat", "TASK_TIMED_OUT"));
        assertThat(first.redrive("cat", false, "before the restart").outcome()).isEqualTo("redriven");
        first.repository().close();
        boards.clear();

        JobBoard second = board();
        second.start();
        Job j = second.find("cat").orElseThrow();
        assertThat(j.state).isEqualTo(JobState.QUEUED);
        assertThat(j.redrive.count).isEqualTo(1);
        assertThat(j.redrive.by).isEqualTo("before the restart");
        assertThat(second.redrive("cat", false, "after").outcome()).isEqualTo("unchanged");
    }

    @Test
    void a_redrive_is_a_compare_and_set_so_a_stale_copy_cannot_write_it_twice() throws Exception {
        JobBoard b = board();
        JobRepository repo = b.repository();
        repo.create(dead("cat", "BUDGET_EXCEEDED"));
        Job one = repo.find("cat").orElseThrow();
        Job two = repo.find("cat").orElseThrow();
        Redrive.apply(one, Redrive.decide(one, false, false, false), Instant.now(), "one");
        Redrive.apply(two, Redrive.decide(two, false, false, false), Instant.now(), "two");

        assertThat(repo.update(one)).isTrue();
        assertThat(repo.update(two)).as("the second writer read an older version").isFalse();
        assertThat(repo.find("cat").orElseThrow().redrive.by).isEqualTo("one");
        assertThat(repo.find("cat").orElseThrow().redrive.count).isEqualTo(1);
    }
}
