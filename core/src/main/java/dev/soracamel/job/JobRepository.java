package dev.soracamel.job;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The source of truth for every job and every provider account, shared by all nodes that run a pipeline.
 * <p>
 * Two rules make several nodes safe on one provider account:
 * <ul>
 *   <li>Every write of a job is a compare-and-set on its {@link Job#version} ({@link #update}): a node that acted
 *   on an old copy, because it stalled while another node took its step over, fails to write and must drop what
 *   it was doing instead of overwriting what happened since.</li>
 *   <li>Whatever spends one of the account's limits (a slot, the next submit, the next status check) is decided in
 *   {@link #inAccount}, which holds the account's lock for the whole decision and writes the account and the
 *   claimed job in the same transaction.</li>
 * </ul>
 * The embedded default keeps one file per job and holds an OS lock on its folder (one node); the PostgreSQL
 * implementation serves several. Both pass the same contract tests.
 */
public interface JobRepository extends AutoCloseable {

    /** This process's name in claims (host, process id and a random part, so a restarted process is a new node). */
    String node();

    /**
     * True when this process is the only one using the repository (the file repository's folder lock). A start
     * may then take back every claim a previous process left, at once, instead of waiting for claims to lapse.
     */
    boolean exclusive();

    /** The repository's clock: the database's on a shared repository, so that nodes never argue about time. */
    Instant now();

    // ---------------------------------------------------------------- jobs

    /**
     * Records a new job unless its request id is taken: this is what makes a request id submit-once across
     * restarts and nodes. Sets {@link Job#seq} (acceptance order) and {@link Job#version}.
     *
     * @return false if the request id is already taken
     */
    boolean create(Job job);

    Optional<Job> find(String requestId);

    /**
     * Writes the job if the stored record still has {@code job.version}, then increments {@code job.version}.
     *
     * @return false, writing nothing, when another write came first (the caller's copy is stale)
     */
    boolean update(Job job);

    /** Forgets a finished job (retention); its request id can then be used again. */
    void delete(String requestId);

    // ---------------------------------------------------------------- accounts

    /**
     * Runs {@code work} holding the account's lock (created on first use), in one transaction: what it reads of the
     * account and its jobs cannot change under it, and what it writes (the {@link AccountTx#account()} and the jobs
     * given to {@link AccountTx#update}) is committed together when it returns, or not at all if it throws.
     *
     * @param budgets also hold the repository-wide budget lock (taken before the account's), so that submits of
     *                different accounts cannot together overrun a budget
     */
    <T> T inAccount(String accountKey, boolean budgets, Function<AccountTx, T> work);

    /** The accounts as stored (a copy, for views): absent ones have never been used. */
    Optional<Account> account(String accountKey);

    /** The view of one account inside {@link #inAccount}. */
    interface AccountTx {

        /** The repository's clock, read once for the whole transaction. */
        Instant now();

        /** The account, locked; changes to it are written when the transaction ends. */
        Account account();

        /**
         * Slots the account's provider counts as taken: jobs of the account being submitted or polled, plus the
         * tasks jobs may have left running unpolled ({@link Job#phantomSlots}, while {@link Job#slotHeldUntil} is
         * after now), whatever state those jobs are in now.
         */
        int slotsInUse();

        /**
         * Up to {@code limit} queued jobs of the account in queue order (resubmits after a provider time-out
         * first, then acceptance order), skipping jobs another transaction holds.
         */
        List<Job> queued(int limit);

        /** The polling job of the account whose check is due first ({@link Job#nextCheckAt} not after now). */
        Optional<Job> dueCheck();

        /** {@link JobRepository#update} inside this transaction. */
        boolean update(Job job);

        /** Jobs of every account that committed spend at or after {@code since} (for budgets; under the budget lock). */
        List<Job> chargedSince(Instant since);
    }

    // ---------------------------------------------------------------- queries

    /** Jobs on record by provider and state. */
    Map<String, Map<JobState, Integer>> countByProviderAndState();

    /** Jobs on record by account and state, for the account's own figures. */
    Map<JobState, Integer> countByState(String accountKey);

    /** Slots the account's provider counts as taken now (see {@link AccountTx#slotsInUse}). */
    int slotsInUse(String accountKey);

    /** Up to {@code limit} jobs in the given states, the most recently accepted first. */
    List<Job> list(Set<JobState> states, int limit);

    /**
     * One page of jobs in the given states, the most recently accepted first, accepted before the job whose
     * {@link Job#seq} is {@code beforeSeq} (null: from the newest). Keyset paging: the cost follows the page, not
     * the number of jobs on record, so a page polled every few seconds stays cheap with many thousands of jobs.
     */
    List<Job> page(Set<JobState> states, Long beforeSeq, int limit);

    /** True when no job is waiting or under way and every dead letter is written. */
    boolean idle();

    /** Queued jobs of the account in queue order (views: what the budgets hold back). */
    List<Job> queued(String accountKey, int limit);

    /**
     * Jobs with a step left to do whose claim lapsed or was never taken: a submit whose node vanished, a download,
     * a dead letter not yet written, an event not yet sent. Whoever finds one claims it with {@link #update}.
     */
    List<Job> orphans(int limit);

    /** Stored and dead-lettered jobs that ended before the cutoff, oldest first (retention). */
    List<Job> finishedBefore(Instant cutoff, int limit);

    /** Jobs that committed spend at or after {@code since} (a restart rebuilds the budgets from these). */
    List<Job> chargedSince(Instant since);

    @Override
    void close();

    /** The repository could not be reached (a database down): nothing was read or written. */
    class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Thrown when a job's step was taken over by another node: the copy in hand must not be acted on. */
    final class StaleJobException extends RuntimeException {
        public StaleJobException(Job job) {
            super("job " + job.requestId + " was changed by another node (version " + job.version
                    + " is stale); this node dropped its step");
        }
    }

    /** The end of a job's step: the time its claim is released or lapses. Final jobs are not orphans. */
    static boolean hasStepLeft(Job j) {
        return j.state == JobState.SUBMITTING || j.state == JobState.DOWNLOADING || j.state == JobState.STORING
                || (j.state == JobState.DEAD && !j.deadLetterWritten) || j.notifyPending;
    }

    /** The tasks a job may have left running unpolled ({@link Job#phantomSlots}; an older record's one counts as one). */
    static int phantomSlots(Job j) {
        return Math.max(1, j.phantomSlots);
    }

    /** The moment a job's charges were last touched, for {@link #chargedSince}; null: it never committed spend. */
    static Instant lastCharge(Job j) {
        Instant last = j.pendingCharge == null ? null : j.pendingCharge.at();
        for (Charge c : j.charges) {
            if (last == null || c.at().isAfter(last)) {
                last = c.at();
            }
        }
        if (last == null && j.tasksCreated > 0) {
            last = j.submittedAt;
        }
        return last;
    }
}
