package dev.soracamel.job;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.soracamel.SoraPipeline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every {@link JobRepository} must do, whichever store is behind it: each implementation's test extends
 * this and says how to open an empty repository.
 * <p>
 * Times are taken from the repository's own clock with margins of a minute, so that a database whose clock is a
 * little off the test's, and a slow machine, change nothing.
 */
abstract class JobRepositoryContract {

    static final String ACCOUNT = "acct-a";
    static final String OTHER_ACCOUNT = "acct-b";

    protected JobRepository repo;

    /** An empty repository for one test; closed after it. */
    protected abstract JobRepository openEmpty() throws Exception;

    @BeforeEach
    void openRepository() throws Exception {
        repo = openEmpty();
    }

    @AfterEach
    void closeRepository() {
        if (repo != null) {
            repo.close();
        }
    }

    static Job job(String requestId) {
        return job(requestId, ACCOUNT, JobState.QUEUED);
    }

    static Job job(String requestId, String account, JobState state) {
        Job j = new Job();
        j.requestId = requestId;
        j.provider = "yesai";
        j.account = account;
        j.model = "sora-2";
        j.customerId = "c1";
        j.state = state;
        j.acceptedAt = Instant.parse("2026-01-02T03:04:05.123456Z");
        j.request = SoraPipeline.jsonMapper().createObjectNode().put("prompt", "a cat").put("request_id", requestId);
        j.record("accepted", "test");
        return j;
    }

    /** Creates the job, then writes its state and fields (create takes whatever state the job has, too). */
    Job created(Job j) {
        assertThat(repo.create(j)).as("create %s", j.requestId).isTrue();
        return j;
    }

    Job stored(String requestId) {
        return repo.find(requestId).orElseThrow(() -> new AssertionError("no job " + requestId));
    }

    static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(j -> j.requestId).toList();
    }

    // ---------------------------------------------------------------- create, find, update, delete

    @Test
    void create_takes_a_request_id_once_and_sets_seq_and_version() {
        Job a = job("r1");
        assertThat(repo.create(a)).isTrue();
        assertThat(a.version).isEqualTo(1);
        assertThat(a.seq).isPositive();

        Job again = job("r1");
        again.provider = "openai";
        assertThat(repo.create(again)).isFalse();
        assertThat(stored("r1").provider).as("the first record stands").isEqualTo("yesai");

        Job b = created(job("r2"));
        assertThat(b.seq).as("acceptance order").isGreaterThan(a.seq);

        Job back = stored("r1");
        assertThat(back.version).isEqualTo(1);
        assertThat(back.seq).isEqualTo(a.seq);
        assertThat(back.request.get("prompt").asText()).isEqualTo("a cat");
        assertThat(back.acceptedAt).isEqualTo(a.acceptedAt);
        assertThat(back.history).hasSize(1);
    }

    @Test
    void update_is_a_compare_and_set_on_the_version() {
        created(job("r1"));
        Job first = stored("r1");
        Job stale = stored("r1");

        first.state = JobState.SUBMITTING;
        first.claimedBy = "node-1";
        assertThat(repo.update(first)).isTrue();
        assertThat(first.version).isEqualTo(2);

        stale.state = JobState.DEAD;
        assertThat(repo.update(stale)).as("a stale copy").isFalse();
        assertThat(stale.version).as("unchanged when the write failed").isEqualTo(1);
        Job now = stored("r1");
        assertThat(now.state).isEqualTo(JobState.SUBMITTING);
        assertThat(now.claimedBy).isEqualTo("node-1");
        assertThat(now.version).isEqualTo(2);

        first.state = JobState.POLLING;
        assertThat(repo.update(first)).isTrue();
        assertThat(stored("r1").version).isEqualTo(3);

        Job unknown = job("nobody");
        unknown.version = 1;
        assertThat(repo.update(unknown)).as("a job not on record").isFalse();
        assertThat(repo.find("nobody")).isEmpty();
    }

    @Test
    void find_returns_copies() {
        Job original = created(job("r1"));
        original.state = JobState.DEAD;
        original.history.add(new Job.Event(Instant.now(), "mutated", "after create"));
        assertThat(stored("r1").state).as("the job given to create is not the record").isEqualTo(JobState.QUEUED);

        Job copy = stored("r1");
        copy.state = JobState.STORED;
        copy.history.clear();
        copy.request.put("prompt", "changed");
        Job again = stored("r1");
        assertThat(again.state).isEqualTo(JobState.QUEUED);
        assertThat(again.history).hasSize(1);
        assertThat(again.request.get("prompt").asText()).isEqualTo("a cat");

        assertThat(repo.update(again)).isTrue();
        again.state = JobState.DEAD;
        assertThat(stored("r1").state).as("the job given to update is not the record").isEqualTo(JobState.QUEUED);
    }

    @Test
    void delete_forgets_a_job_and_frees_its_request_id() {
        created(job("r1"));
        repo.delete("r1");
        assertThat(repo.find("r1")).isEmpty();
        repo.delete("r1"); // twice is fine
        assertThat(repo.create(job("r1"))).isTrue();
    }

    @Test
    void a_job_as_read_back_keeps_every_field() {
        Job j = job("r1");
        j.timeoutResubmits = 1;
        j.taskIds.add("t-1");
        j.taskId = "t-2";
        j.taskPrice = new BigDecimal("0.50");
        j.currency = "USD";
        j.charges.add(new Charge(Instant.parse("2026-01-02T03:04:05.987654321Z"), new BigDecimal("0.50"), "t-1", null));
        j.pendingCharge = new Charge(Instant.parse("2026-01-02T03:05:00Z"), null, null, true);
        j.slotHeldUntil = Instant.parse("2026-01-02T04:00:00.000000001Z");
        created(j);
        Job back = stored("r1");
        assertThat(back.taskIds).containsExactly("t-1");
        assertThat(back.taskPrice).isEqualByComparingTo("0.50");
        assertThat(back.charges).hasSize(1);
        assertThat(back.charges.get(0).at()).isEqualTo(j.charges.get(0).at());
        assertThat(back.pendingCharge.uncertain()).isTrue();
        assertThat(back.slotHeldUntil).as("the record keeps what the job said, to the nanosecond")
                .isEqualTo(j.slotHeldUntil);
    }

    // ---------------------------------------------------------------- accounts

    @Test
    void in_account_commits_the_account_and_the_jobs_together() {
        created(job("r1"));
        Instant until = repo.now().plusSeconds(30);
        String result = repo.inAccount(ACCOUNT, false, tx -> {
            assertThat(tx.account().key).isEqualTo(ACCOUNT);
            Job j = tx.queued(1).get(0);
            j.state = JobState.SUBMITTING;
            j.claimedBy = repo.node();
            j.claimUntil = until;
            assertThat(tx.update(j)).isTrue();
            tx.account().submitBusyUntil = until;
            tx.account().submitBusyBy = repo.node();
            return j.requestId;
        });
        assertThat(result).isEqualTo("r1");
        Job back = stored("r1");
        assertThat(back.state).isEqualTo(JobState.SUBMITTING);
        assertThat(back.version).isEqualTo(2);
        assertThat(back.claimUntil).isEqualTo(until);
        Account a = repo.account(ACCOUNT).orElseThrow();
        assertThat(a.submitBusyUntil).isEqualTo(until);
        assertThat(a.submitBusyBy).isEqualTo(repo.node());

        a.pauseCode = "mutated";
        assertThat(repo.account(ACCOUNT).orElseThrow().pauseCode).as("account() returns a copy").isNull();

        // the next transaction sees what the last committed
        repo.inAccount(ACCOUNT, false, tx -> {
            assertThat(tx.account().submitBusyBy).isEqualTo(repo.node());
            assertThat(tx.queued(5)).isEmpty();
            assertThat(tx.slotsInUse()).isEqualTo(1);
            return null;
        });
    }

    @Test
    void in_account_writes_nothing_when_the_work_throws() {
        created(job("r1"));
        repo.inAccount(ACCOUNT, false, tx -> {
            tx.account().nextSubmitAt = Instant.parse("2026-01-01T00:00:00Z");
            return null;
        });
        IllegalStateException boom = new IllegalStateException("boom");
        Job[] taken = new Job[1];
        assertThatThrownBy(() -> repo.inAccount(ACCOUNT, true, tx -> {
            Job j = tx.queued(1).get(0);
            j.state = JobState.SUBMITTING;
            assertThat(tx.update(j)).isTrue();
            taken[0] = j;
            tx.account().nextSubmitAt = Instant.parse("2030-01-01T00:00:00Z");
            tx.account().pauseCode = "no-credit";
            throw boom;
        })).isSameAs(boom);

        Job back = stored("r1");
        assertThat(back.state).isEqualTo(JobState.QUEUED);
        assertThat(back.version).isEqualTo(1);
        Account a = repo.account(ACCOUNT).orElseThrow();
        assertThat(a.nextSubmitAt).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(a.pauseCode).isNull();
        // the copy the rolled-back work wrote carries changes that never happened: it must not be writable
        assertThat(repo.update(taken[0])).isFalse();
        assertThat(stored("r1").state).isEqualTo(JobState.QUEUED);

        // and the lock was released: the next transaction runs
        int queued = repo.inAccount(ACCOUNT, true, tx -> tx.queued(5).size());
        assertThat(queued).isEqualTo(1);
    }

    @Test
    void in_account_update_is_the_same_compare_and_set() {
        created(job("r1"));
        Job stale = stored("r1");
        Job fresh = stored("r1");
        fresh.notifyPending = true;
        assertThat(repo.update(fresh)).isTrue();
        boolean written = repo.inAccount(ACCOUNT, false, tx -> {
            stale.state = JobState.SUBMITTING;
            return tx.update(stale);
        });
        assertThat(written).isFalse();
        assertThat(stored("r1").state).isEqualTo(JobState.QUEUED);
    }

    @Test
    void a_job_written_twice_in_one_transaction_keeps_the_second_write() {
        created(job("r1"));
        repo.inAccount(ACCOUNT, false, tx -> {
            Job j = tx.queued(1).get(0);
            j.state = JobState.SUBMITTING;
            assertThat(tx.update(j)).isTrue();
            j.state = JobState.POLLING;
            j.taskId = "t-1";
            assertThat(tx.update(j)).as("the copy written first is the transaction's current one").isTrue();
            return null;
        });
        Job back = stored("r1");
        assertThat(back.state).isEqualTo(JobState.POLLING);
        assertThat(back.taskId).isEqualTo("t-1");
        assertThat(back.version).isEqualTo(3);
    }

    @Test
    void a_transaction_reads_its_own_writes_so_one_transaction_cannot_overfill_the_slots() {
        for (int i = 1; i <= 5; i++) {
            created(job("q" + i));
        }
        created(job("busy", ACCOUNT, JobState.POLLING));
        int limit = 3;
        List<String> taken = repo.inAccount(ACCOUNT, false, tx -> {
            List<String> out = new java.util.ArrayList<>();
            // the way a board fills free slots: count, take the head of the queue, count again
            while (tx.slotsInUse() < limit && out.size() < 10) {
                List<Job> head = tx.queued(1);
                if (head.isEmpty()) {
                    break;
                }
                Job j = head.get(0);
                j.state = JobState.SUBMITTING;
                assertThat(tx.update(j)).isTrue();
                out.add(j.requestId);
            }
            assertThat(ids(tx.queued(10))).containsExactly("q3", "q4", "q5");
            return out;
        });
        assertThat(taken).containsExactly("q1", "q2");
        assertThat(repo.slotsInUse(ACCOUNT)).isEqualTo(limit);

        // and the same reads see the records as they were once a transaction is rolled back
        assertThatThrownBy(() -> repo.inAccount(ACCOUNT, false, tx -> {
            Job j = tx.queued(1).get(0);
            j.state = JobState.SUBMITTING;
            tx.update(j);
            assertThat(tx.slotsInUse()).isEqualTo(limit + 1);
            throw new IllegalStateException("rolled back");
        })).hasMessage("rolled back");
        assertThat(repo.slotsInUse(ACCOUNT)).isEqualTo(limit);
        assertThat(ids(repo.queued(ACCOUNT, 10))).containsExactly("q3", "q4", "q5");
    }

    @Test
    void the_transaction_clock_is_read_once_and_is_the_repository_clock() {
        Instant before = repo.now();
        repo.inAccount(ACCOUNT, false, tx -> {
            Instant first = tx.now();
            assertThat(tx.now()).isEqualTo(first);
            assertThat(Duration.between(before, first).abs()).isLessThan(Duration.ofSeconds(5));
            return null;
        });
    }

    @Test
    void the_queue_puts_resubmits_after_a_time_out_first_then_acceptance_order() {
        created(job("q1"));
        Job resubmit = job("q2");
        resubmit.timeoutResubmits = 1;
        created(resubmit);
        created(job("q3"));
        created(job("other", OTHER_ACCOUNT, JobState.QUEUED));
        created(job("polling", ACCOUNT, JobState.POLLING));
        Job late = job("q4");
        late.timeoutResubmits = 2;
        created(late);

        assertThat(ids(repo.queued(ACCOUNT, 10))).containsExactly("q2", "q4", "q1", "q3");
        assertThat(ids(repo.queued(ACCOUNT, 2))).containsExactly("q2", "q4");
        assertThat(ids(repo.queued(OTHER_ACCOUNT, 10))).containsExactly("other");
        assertThat(repo.queued("nobody", 10)).isEmpty();
        repo.inAccount(ACCOUNT, false, tx -> {
            assertThat(ids(tx.queued(10))).containsExactly("q2", "q4", "q1", "q3");
            assertThat(ids(tx.queued(3))).containsExactly("q2", "q4", "q1");
            return null;
        });

        // a job that is resubmitted after a time-out moves ahead of the jobs that waited longer
        Job q3 = stored("q3");
        q3.timeoutResubmits = 1;
        assertThat(repo.update(q3)).isTrue();
        assertThat(ids(repo.queued(ACCOUNT, 10))).containsExactly("q2", "q3", "q4", "q1");
    }

    @Test
    void due_check_takes_the_polling_job_due_first() {
        Instant now = repo.now();
        Job never = job("never", ACCOUNT, JobState.POLLING);
        created(never);
        Job older = job("older", ACCOUNT, JobState.POLLING);
        older.nextCheckAt = now.minusSeconds(120);
        created(older);
        Job recent = job("recent", ACCOUNT, JobState.POLLING);
        recent.nextCheckAt = now.minusSeconds(60);
        created(recent);
        Job future = job("future", ACCOUNT, JobState.POLLING);
        future.nextCheckAt = now.plusSeconds(120);
        created(future);
        Job otherAccount = job("other", OTHER_ACCOUNT, JobState.POLLING);
        otherAccount.nextCheckAt = now.minusSeconds(600);
        created(otherAccount);
        Job downloading = job("downloading", ACCOUNT, JobState.DOWNLOADING);
        downloading.nextCheckAt = now.minusSeconds(600);
        created(downloading);

        List<String> order = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Optional<Job> due = repo.inAccount(ACCOUNT, false, tx -> {
                Optional<Job> d = tx.dueCheck();
                d.ifPresent(j -> {
                    j.nextCheckAt = tx.now().plusSeconds(3600);
                    assertThat(tx.update(j)).isTrue();
                });
                return d;
            });
            due.ifPresent(j -> order.add(j.requestId));
        }
        assertThat(order).as("never checked first, then by due time; never one that is not due yet")
                .containsExactly("never", "older", "recent");
    }

    @Test
    void slots_in_use_count_submitting_and_polling_jobs_and_every_live_phantom() {
        Instant now = repo.now();
        created(job("queued", ACCOUNT, JobState.QUEUED));
        created(job("submitting", ACCOUNT, JobState.SUBMITTING));
        created(job("polling", ACCOUNT, JobState.POLLING));
        Job pollingAndHeld = job("polling-held", ACCOUNT, JobState.POLLING);
        pollingAndHeld.slotHeldUntil = now.plusSeconds(600);
        created(pollingAndHeld);
        Job phantom = job("phantom", ACCOUNT, JobState.DEAD);
        phantom.slotHeldUntil = now.plusSeconds(600);
        created(phantom);
        Job twice = job("lost-twice", ACCOUNT, JobState.DEAD);
        twice.slotHeldUntil = now.plusSeconds(600);
        twice.phantomSlots = 2;
        created(twice);
        Job lapsed = job("lapsed", ACCOUNT, JobState.DEAD);
        lapsed.slotHeldUntil = now.minusSeconds(600);
        created(lapsed);
        created(job("downloading", ACCOUNT, JobState.DOWNLOADING));
        created(job("stored", ACCOUNT, JobState.STORED));
        created(job("other", OTHER_ACCOUNT, JobState.SUBMITTING));

        // submitting + polling + polling-held (its task, and the one it lost track of before) + phantom + lost-twice (2)
        assertThat(repo.slotsInUse(ACCOUNT)).isEqualTo(7);
        int inTx = repo.inAccount(ACCOUNT, false, JobRepository.AccountTx::slotsInUse);
        assertThat(inTx).isEqualTo(7);
        assertThat(repo.slotsInUse(OTHER_ACCOUNT)).isEqualTo(1);
        assertThat(repo.slotsInUse("nobody")).isZero();

        Job p = stored("polling");
        p.state = JobState.DOWNLOADING;
        assertThat(repo.update(p)).isTrue();
        assertThat(repo.slotsInUse(ACCOUNT)).isEqualTo(6);
    }

    @Test
    void orphans_are_jobs_with_a_step_left_whose_claim_lapsed_or_was_never_taken() {
        Instant now = repo.now();
        created(job("submitting-unclaimed", ACCOUNT, JobState.SUBMITTING));
        Job claimed = job("submitting-claimed", ACCOUNT, JobState.SUBMITTING);
        claimed.claimedBy = "node-1";
        claimed.claimUntil = now.plusSeconds(600);
        created(claimed);
        Job lapsed = job("downloading-lapsed", ACCOUNT, JobState.DOWNLOADING);
        lapsed.claimedBy = "node-1";
        lapsed.claimUntil = now.minusSeconds(600);
        created(lapsed);
        created(job("stored-done", ACCOUNT, JobState.STORED));
        Job notify = job("stored-notify", ACCOUNT, JobState.STORED);
        notify.notifyPending = true;
        created(notify);
        created(job("dead-unwritten", ACCOUNT, JobState.DEAD));
        Job written = job("dead-written", ACCOUNT, JobState.DEAD);
        written.deadLetterWritten = true;
        created(written);
        created(job("queued", ACCOUNT, JobState.QUEUED));
        created(job("polling", ACCOUNT, JobState.POLLING));
        Job storeRetry = job("storing-retry-due", ACCOUNT, JobState.STORING);
        storeRetry.claimUntil = now.minusSeconds(1);
        created(storeRetry);
        Job storeWaits = job("storing-waits", ACCOUNT, JobState.STORING);
        storeWaits.claimUntil = now.plusSeconds(600);
        created(storeWaits);

        assertThat(ids(repo.orphans(100))).containsExactly("submitting-unclaimed", "downloading-lapsed",
                "stored-notify", "dead-unwritten", "storing-retry-due");
        assertThat(ids(repo.orphans(2))).containsExactly("submitting-unclaimed", "downloading-lapsed");

        // the same predicate as JobRepository.hasStepLeft
        for (Job j : repo.list(EnumSet.allOf(JobState.class), 100)) {
            boolean orphan = ids(repo.orphans(100)).contains(j.requestId);
            boolean claimLive = j.claimUntil != null && j.claimUntil.isAfter(now);
            assertThat(orphan).as(j.requestId).isEqualTo(JobRepository.hasStepLeft(j) && !claimLive);
        }

        // taking one over is a claim written by compare-and-set
        Job o = repo.orphans(1).get(0);
        o.claimedBy = "node-2";
        o.claimUntil = repo.now().plusSeconds(600);
        assertThat(repo.update(o)).isTrue();
        assertThat(ids(repo.orphans(100))).doesNotContain("submitting-unclaimed");
    }

    @Test
    void finished_before_lists_stored_and_dead_jobs_that_ended_before_the_cutoff_oldest_first() {
        Instant now = repo.now();
        Job stored = job("stored-old", ACCOUNT, JobState.STORED);
        stored.storedAt = now.minus(Duration.ofHours(2));
        created(stored);
        Job dead = job("dead-older", ACCOUNT, JobState.DEAD);
        dead.deadAt = now.minus(Duration.ofHours(3));
        dead.deadLetterWritten = true;
        created(dead);
        Job recent = job("stored-recent", ACCOUNT, JobState.STORED);
        recent.storedAt = now.minusSeconds(60);
        created(recent);
        // not final, even with a time set
        Job downloading = job("downloading", ACCOUNT, JobState.DOWNLOADING);
        downloading.storedAt = now.minus(Duration.ofHours(5));
        created(downloading);
        created(job("queued"));

        Instant cutoff = now.minus(Duration.ofHours(1));
        assertThat(ids(repo.finishedBefore(cutoff, 10))).containsExactly("dead-older", "stored-old");
        assertThat(ids(repo.finishedBefore(cutoff, 1))).containsExactly("dead-older");
        assertThat(repo.finishedBefore(now.minus(Duration.ofHours(10)), 10)).isEmpty();
    }

    @Test
    void charged_since_finds_jobs_by_their_last_charge() {
        Instant now = repo.now();
        Job recentCharge = job("recent-charge");
        recentCharge.state = JobState.POLLING;
        recentCharge.tasksCreated = 1;
        recentCharge.submittedAt = now.minus(Duration.ofHours(5));
        recentCharge.charges.add(new Charge(now.minus(Duration.ofHours(5)), new BigDecimal("1"), "t1", null));
        recentCharge.charges.add(new Charge(now.minusSeconds(600), new BigDecimal("1"), "t2", null));
        created(recentCharge);
        Job pending = job("pending");
        pending.state = JobState.SUBMITTING;
        pending.pendingCharge = new Charge(now.minusSeconds(300), new BigDecimal("1"), null, null);
        created(pending);
        Job noChargeRecorded = job("tasks-only");
        noChargeRecorded.state = JobState.POLLING;
        noChargeRecorded.tasksCreated = 1;
        noChargeRecorded.submittedAt = now.minusSeconds(1800);
        created(noChargeRecorded);
        Job old = job("old-charge");
        old.state = JobState.STORED;
        old.charges.add(new Charge(now.minus(Duration.ofHours(3)), new BigDecimal("1"), "t3", null));
        created(old);
        created(job("never-charged"));
        Job exactly = job("at-the-bound");
        exactly.charges.add(new Charge(now.minus(Duration.ofHours(1)), new BigDecimal("1"), "t4", null));
        created(exactly);

        Instant since = now.minus(Duration.ofHours(1));
        assertThat(ids(repo.chargedSince(since))).containsExactlyInAnyOrder("recent-charge", "pending",
                "tasks-only", "at-the-bound");
        List<String> inTx = repo.inAccount(OTHER_ACCOUNT, true, tx -> ids(tx.chargedSince(since)));
        assertThat(inTx).as("every account's jobs, from inside a transaction")
                .containsExactlyInAnyOrder("recent-charge", "pending", "tasks-only", "at-the-bound");

        // a charge added later moves the job in
        Job o = stored("old-charge");
        o.charges.add(new Charge(now.minusSeconds(10), new BigDecimal("1"), "t5", null));
        assertThat(repo.update(o)).isTrue();
        assertThat(ids(repo.chargedSince(since))).contains("old-charge");
    }

    // ---------------------------------------------------------------- queries

    @Test
    void counts_by_provider_and_state_and_by_account() {
        created(job("a1", ACCOUNT, JobState.QUEUED));
        created(job("a2", ACCOUNT, JobState.QUEUED));
        created(job("a3", ACCOUNT, JobState.POLLING));
        Job b1 = job("b1", OTHER_ACCOUNT, JobState.STORED);
        b1.provider = "openai";
        created(b1);

        Map<String, Map<JobState, Integer>> byProvider = repo.countByProviderAndState();
        assertThat(byProvider).containsOnlyKeys("yesai", "openai");
        assertThat(byProvider.get("yesai")).containsExactlyInAnyOrderEntriesOf(
                Map.of(JobState.QUEUED, 2, JobState.POLLING, 1));
        assertThat(byProvider.get("openai")).containsExactlyInAnyOrderEntriesOf(Map.of(JobState.STORED, 1));

        assertThat(repo.countByState(ACCOUNT)).containsExactlyInAnyOrderEntriesOf(
                Map.of(JobState.QUEUED, 2, JobState.POLLING, 1));
        assertThat(repo.countByState(OTHER_ACCOUNT)).containsExactlyInAnyOrderEntriesOf(Map.of(JobState.STORED, 1));
        assertThat(repo.countByState("nobody")).isEmpty();
    }

    @Test
    void idle_means_nothing_waiting_or_under_way_and_every_dead_letter_written() {
        assertThat(repo.idle()).as("empty").isTrue();
        Job j = created(job("r1"));
        assertThat(repo.idle()).isFalse();
        for (JobState s : EnumSet.of(JobState.SUBMITTING, JobState.POLLING, JobState.DOWNLOADING, JobState.STORING)) {
            j.state = s;
            assertThat(repo.update(j)).isTrue();
            assertThat(repo.idle()).as(s.name()).isFalse();
        }
        j.state = JobState.DEAD;
        assertThat(repo.update(j)).isTrue();
        assertThat(repo.idle()).as("dead letter not written").isFalse();
        j.deadLetterWritten = true;
        assertThat(repo.update(j)).isTrue();
        assertThat(repo.idle()).isTrue();

        Job s = created(job("r2", ACCOUNT, JobState.STORED));
        s.notifyPending = true;
        assertThat(repo.update(s)).isTrue();
        assertThat(repo.idle()).as("a pending notification is not work under way").isTrue();
    }

    @Test
    void list_gives_the_most_recently_accepted_first() {
        created(job("j1", ACCOUNT, JobState.QUEUED));
        created(job("j2", ACCOUNT, JobState.STORED));
        created(job("j3", OTHER_ACCOUNT, JobState.QUEUED));
        created(job("j4", ACCOUNT, JobState.DEAD));
        created(job("j5", ACCOUNT, JobState.QUEUED));

        assertThat(ids(repo.list(EnumSet.allOf(JobState.class), 10))).containsExactly("j5", "j4", "j3", "j2", "j1");
        assertThat(ids(repo.list(EnumSet.of(JobState.QUEUED), 10))).containsExactly("j5", "j3", "j1");
        assertThat(ids(repo.list(EnumSet.of(JobState.QUEUED, JobState.DEAD), 2))).containsExactly("j5", "j4");
        assertThat(repo.list(Set.of(), 10)).isEmpty();
        assertThat(repo.list(EnumSet.of(JobState.POLLING), 10)).isEmpty();
    }

    @Test
    void pages_go_newest_first_from_a_cursor_and_follow_state_changes() {
        for (int i = 1; i <= 9; i++) {
            created(job("p" + i, i % 3 == 0 ? OTHER_ACCOUNT : ACCOUNT, i % 2 == 0 ? JobState.DEAD : JobState.QUEUED));
        }
        Set<JobState> all = EnumSet.allOf(JobState.class);
        List<Job> first = repo.page(all, null, 4);
        assertThat(ids(first)).containsExactly("p9", "p8", "p7", "p6");
        List<Job> second = repo.page(all, first.get(3).seq, 4);
        assertThat(ids(second)).containsExactly("p5", "p4", "p3", "p2");
        assertThat(ids(repo.page(all, second.get(3).seq, 4))).containsExactly("p1");
        assertThat(ids(repo.page(EnumSet.of(JobState.DEAD), null, 10))).containsExactly("p8", "p6", "p4", "p2");
        assertThat(ids(repo.page(EnumSet.of(JobState.DEAD), stored("p6").seq, 1))).containsExactly("p4");
        assertThat(ids(repo.page(EnumSet.of(JobState.QUEUED, JobState.DEAD), stored("p5").seq, 3)))
                .containsExactly("p4", "p3", "p2");
        assertThat(repo.page(Set.of(), null, 10)).isEmpty();
        assertThat(repo.page(all, null, 0)).isEmpty();

        // a job that changes state moves between the pages of its states, and the counts follow it
        Job p4 = stored("p4");
        p4.state = JobState.QUEUED;
        assertThat(repo.update(p4)).isTrue();
        assertThat(ids(repo.page(EnumSet.of(JobState.DEAD), null, 10))).containsExactly("p8", "p6", "p2");
        assertThat(ids(repo.page(EnumSet.of(JobState.QUEUED), stored("p5").seq, 10))).containsExactly("p4", "p3", "p1");
        assertThat(repo.countByState(ACCOUNT)).containsEntry(JobState.DEAD, 2).containsEntry(JobState.QUEUED, 4);
        assertThat(repo.countByProviderAndState().get("yesai")).containsEntry(JobState.DEAD, 3)
                .containsEntry(JobState.QUEUED, 6);
        repo.delete("p8");
        assertThat(ids(repo.page(EnumSet.of(JobState.DEAD), null, 10))).containsExactly("p6", "p2");
        assertThat(repo.countByProviderAndState().get("yesai")).containsEntry(JobState.DEAD, 2);
    }

    @Test
    void node_names_this_process_and_the_clock_is_now() {
        assertThat(repo.node()).isNotBlank().isEqualTo(repo.node());
        assertThat(Duration.between(Instant.now(), repo.now()).abs()).isLessThan(Duration.ofMinutes(1));
    }

    @Test
    void a_redrive_is_a_compare_and_set_transition_that_every_reader_sees() {
        Job dead = job("r1", ACCOUNT, JobState.DEAD);
        dead.deadCode = "BUDGET_EXCEEDED";
        dead.deadAt = repo.now();
        dead.deadLetter = dev.soracamel.deadletter.DeadLetter.of("r1", "BUDGET_EXCEEDED", "over");
        dead.deadLetterWritten = true;
        dead.taskIds.add("t-1");
        dead.tasksCreated = 1;
        created(dead);
        Job mine = stored("r1");
        Job stale = stored("r1");
        var go = dev.soracamel.flow.Redrive.decide(mine, false, false, false);
        dev.soracamel.flow.Redrive.apply(mine, go, repo.now(), "node a");
        dev.soracamel.flow.Redrive.apply(stale, go, repo.now(), "node b");

        assertThat(repo.update(mine)).isTrue();
        assertThat(repo.update(stale)).as("a second redrive from an old copy writes nothing").isFalse();

        Job back = stored("r1");
        assertThat(back.state).isEqualTo(JobState.QUEUED);
        assertThat(back.redrive.count).isEqualTo(1);
        assertThat(back.redrive.by).isEqualTo("node a");
        assertThat(back.redrive.fromCode).isEqualTo("BUDGET_EXCEEDED");
        assertThat(back.taskIds).containsExactly("t-1");
        assertThat(back.history.stream().map(Job.Event::event)).endsWith("redriven");
        assertThat(ids(repo.queued(ACCOUNT, 10))).as("back in its account's queue").containsExactly("r1");
        assertThat(repo.list(EnumSet.of(JobState.DEAD), 10)).isEmpty();
    }
}
