package dev.soracamel.flow;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.soracamel.config.SoraSettings;
import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.job.BanList;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.job.JobStore;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;
import dev.soracamel.spend.Spend;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns every job's state. Each transition is written to the job store before the step that depends on it
 * runs, and the slot, queue and schedule bookkeeping changes in the same place, so the active-task count
 * is derived from job states and cannot drift from them. The routes decide nothing themselves: they ask
 * the board what to do next.
 */
public class JobBoard {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");

    private final SoraSettings settings;
    private final JobStore store;
    private final BanList bans;
    private final Map<String, ProviderRuntime> runtimes = new LinkedHashMap<>();
    private long seq;

    private final SubmitWindow window;
    private boolean windowWasOpen = true;
    /** Prices and budgets (issue #6): checked before each submit, charged from each submit's answer. */
    private final Spend spend;

    /** observe: who hears about calls and outcomes (the metrics); nobody unless set. */
    private volatile FlowEvents events = FlowEvents.NONE;

    /** A board without spend control: no prices, no budgets (for tests of other concerns). */
    public JobBoard(SoraSettings settings, JobStore store, BanList bans, Map<String, ProviderAdapter> adapters) {
        this(settings, store, bans, adapters, Spend.off(java.time.ZoneId.of(settings.timeZone())));
    }

    public JobBoard(SoraSettings settings, JobStore store, BanList bans, Map<String, ProviderAdapter> adapters,
                    Spend spend) {
        this.settings = settings;
        this.store = store;
        this.bans = bans;
        this.spend = spend;
        this.window = SubmitWindow.of(settings.submitWindowOpenCron(), settings.submitWindowCloseCron(),
                java.util.TimeZone.getTimeZone(settings.timeZone()));
        adapters.forEach((name, adapter) ->
                runtimes.put(name, new ProviderRuntime(settings.provider(name), adapter, settings)));
    }

    public SoraSettings settings() {
        return settings;
    }

    public Spend spend() {
        return spend;
    }

    /** observe: the steps report provider calls and stored jobs here. */
    public FlowEvents events() {
        return events;
    }

    public void events(FlowEvents listener) {
        events = listener == null ? FlowEvents.NONE : FlowEvents.guarded(listener);
    }

    public ProviderAdapter adapter(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        return rt == null ? null : rt.adapter;
    }

    public Optional<Job> find(String requestId) {
        return store.find(requestId);
    }

    /** Every job on record, final ones included. */
    public java.util.Collection<Job> jobs() {
        return store.all();
    }

    /**
     * Runs {@code read} under the board's lock, so that a view of jobs (REST /jobs) never sees a job half way
     * through a change, nor its history list while it grows.
     */
    public synchronized <T> T inspect(java.util.function.Supplier<T> read) {
        return read.get();
    }

    public boolean isBanned(String customerId) {
        return bans.isBanned(customerId);
    }

    // ---------------------------------------------------------------- start

    /** What a restart has to finish: jobs to download or to dead-letter now. */
    /** What a previous run left half done: downloads, dead letters not yet written, events not yet sent. */
    public record Resume(List<String> downloads, List<String> deadLetters, List<String> notifications) {
    }

    /**
     * Rebuilds queues and schedules from the store. Jobs that were queued or polling carry on where they
     * were; a submit whose answer never came is not sent again unless allowed (it may have been paid).
     */
    public synchronized Resume resume() {
        List<String> downloads = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        List<String> notify = new ArrayList<>();
        Instant now = Instant.now();
        for (Job job : store.all()) {
            seq = Math.max(seq, job.seq);
            ProviderRuntime rt = runtimes.get(job.provider);
            if (rt != null && job.slotHeldUntil != null && job.slotHeldUntil.isAfter(now)) {
                rt.phantomSlots.add(job.slotHeldUntil);
            }
            if (rt == null && !job.state.isFinal()) {
                die(job, null, "PROVIDER_NOT_CONFIGURED", "provider '" + job.provider
                        + "' is no longer configured; the job cannot continue", null);
                dead.add(job.requestId);
                continue;
            }
            switch (job.state) {
                case QUEUED -> rt.queue.add(job);
                case POLLING -> {
                    rt.slotHolders.add(job.requestId);
                    rt.polling.add(job);
                }
                case SUBMITTING -> {
                    if (unknownOutcome(rt, job, "the process stopped while this job's submit was on the wire")) {
                        dead.add(job.requestId);
                    }
                }
                case DOWNLOADING -> {
                    Instant linkDies = job.completedSeenAt.plus(settings.scaled(settings.linkLifetime()));
                    if (now.isBefore(linkDies)) {
                        downloads.add(job.requestId);
                    } else {
                        die(job, null, "RESULT_LINK_EXPIRED", "the video was ready at " + job.completedSeenAt
                                + " but its link (alive " + settings.linkLifetime().toMinutes()
                                + " min) expired before it was downloaded", null);
                        dead.add(job.requestId);
                    }
                }
                case DEAD -> {
                    if (!job.deadLetterWritten) {
                        dead.add(job.requestId); // its event goes out once it is written
                    } else if (job.notifyPending) {
                        notify.add(job.requestId);
                    }
                }
                case STORED -> {
                    if (job.notifyPending) {
                        notify.add(job.requestId);
                    }
                }
            }
        }
        // what today's submits committed comes from the job records, so a restart cannot reset a budget
        spend.rebuild(store.all(), now);
        if (!store.all().isEmpty()) {
            LOG.info("resumed from the job store: {}", counts());
        }
        return new Resume(downloads, dead, notify);
    }

    // ---------------------------------------------------------------- intake

    /** @return false when the request id was taken before (also by an earlier run) */
    public synchronized boolean accept(Job job) {
        job.seq = ++seq;
        job.state = JobState.QUEUED;
        job.acceptedAt = Instant.now();
        spend.price(job);
        job.record("accepted", "from " + job.source);
        if (!store.create(job)) {
            seq--;
            return false;
        }
        runtimes.get(job.provider).queue.add(job);
        LOG.info("job {} [{}] accepted from {}: queued, {} waiting", job.requestId, job.provider, job.source,
                runtimes.get(job.provider).queue.size());
        return true;
    }

    // ---------------------------------------------------------------- submit

    /** A job picked for a step: the job, and what to do with it. */
    public record Pick(Job job, Next next) {
    }

    /**
     * The next job to submit, if a slot is free, the submit gate is open and the provider is not paused.
     * The job's slot is taken and recorded before its POST is sent.
     */
    public synchronized Pick pickSubmit(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        Instant now = Instant.now();
        if (rt.queue.isEmpty() || rt.submitsPaused(now)
                || (rt.submitBackoffUntil != null && now.isBefore(rt.submitBackoffUntil))) {
            return null;
        }
        if (!windowOpen(now, rt)) {
            return null;
        }
        // spend (issue #6): the first queued job the budgets leave room for. One over a budget waits, taking
        // no slot, while later ones that fit go ahead (or it is dead-lettered, sora.budget.over); one without
        // a price is refused (sora.prices.unpriced). All of it before a slot is taken.
        Job head = null;
        Spend.Verdict verdict = Spend.Verdict.GO;
        boolean slotFree = rt.active(now) < rt.settings.activeTasks();
        for (Job j : rt.queue) {
            verdict = bans.isBanned(j.customerId) ? Spend.Verdict.GO : spend.check(j, now);
            if (verdict != Spend.Verdict.WAIT) {
                head = j;
                break;
            }
            if (!slotFree) {
                break; // nothing could go now: the jobs behind are looked at once a slot is free
            }
        }
        if (head == null) {
            return null;
        }
        if (bans.isBanned(head.customerId)) {
            rt.queue.remove(head);
            die(head, rt, "CUSTOMER_BANNED", "customer '" + head.customerId
                    + "' was banned by the provider; none of its requests are sent", null);
            return new Pick(head, Next.DEAD_LETTER);
        }
        if (verdict != Spend.Verdict.GO) {
            String why = verdict == Spend.Verdict.BUDGET_EXCEEDED ? spend.overBudgetMessage(head, now)
                    : spend.unpricedMessage(head.provider, head.request);
            rt.queue.remove(head);
            die(head, rt, verdict.name(), why, null);
            return new Pick(head, Next.DEAD_LETTER);
        }
        if (rt.active(now) >= rt.settings.activeTasks() || !rt.submitGate.tryAcquire()) {
            return null;
        }
        rt.queue.remove(head);
        head.state = JobState.SUBMITTING;
        rt.slotHolders.add(head.requestId);
        spend.submitting(head, now);
        head.record("submitting", "slot " + rt.active(now) + "/" + rt.settings.activeTasks());
        store.update(head);
        return new Pick(head, Next.SUBMIT);
    }

    public synchronized void releaseSubmitGate(String provider) {
        runtimes.get(provider).submitGate.release();
    }

    public synchronized Next submitAnswered(Job job, SubmitResult r) {
        ProviderRuntime rt = runtimes.get(job.provider);
        Instant now = Instant.now();
        // spend (issue #6): a created task is committed spend; a refusal created none (unknown: see unknownOutcome)
        if (r.kind() == SubmitResult.Kind.CREATED) {
            spend.taskCreated(job, r.taskId());
        } else if (r.kind() != SubmitResult.Kind.OUTCOME_UNKNOWN) {
            spend.noTask(job);
        }
        switch (r.kind()) {
            case CREATED -> {
                rt.submitBackoffLevel = 0;
                resumeIfPaused(rt, true);
                job.state = JobState.POLLING;
                job.taskId = r.taskId();
                job.taskIds.add(r.taskId());
                job.tasksCreated++;
                job.submitRetries = 0;
                job.submittedAt = now;
                job.statusChecks = 0;
                job.nextCheckAt = now.plus(settings.scaled(rt.adapter.firstCheckDelay(job)));
                job.record("submitted", "task " + r.taskId());
                store.update(job);
                rt.polling.add(job);
                LOG.info("job {} [{}] submitted as task {} (slot {}/{}); first status check at {}", job.requestId,
                        job.provider, r.taskId(), rt.active(now), rt.settings.activeTasks(), job.nextCheckAt);
                return Next.WAIT;
            }
            case RETRY -> {
                job.submitRetries++;
                if (!"TASK_LIMIT_EXCEEDED".equals(r.code()) && !"TOO_MANY_REQUESTS".equals(r.code())
                        && job.submitRetries > settings.maxSubmitRetries()) {
                    die(job, rt, r.code(), r.message() + "; gave up after " + settings.maxSubmitRetries()
                            + " retries (sora.submit.max-retries)", r.httpStatus());
                    return Next.DEAD_LETTER;
                }
                Duration wait = atLeast(ProviderRuntime.backoff(settings, ++rt.submitBackoffLevel), r.providerWait());
                rt.submitBackoffUntil = now.plus(wait);
                requeue(rt, job, "retry", r.code() + ": " + r.message());
                LOG.warn("job {} [{}] submit refused, {}: {}; submits wait {} ms", job.requestId, job.provider,
                        r.code(), r.message(), wait.toMillis());
                return Next.WAIT;
            }
            case PAUSE -> {
                pause(rt, r.code(), r.message(), "UNAUTHORIZED".equals(r.code()) || r.httpStatus() == 401
                        || r.httpStatus() == 403);
                requeue(rt, job, "paused", r.code());
                return Next.WAIT;
            }
            case CUSTOMER_BANNED -> {
                bans.ban(job.customerId);
                LOG.warn("customer '{}' is {} at the provider; its requests are dead-lettered from now on "
                        + "(ban list: remove the line to lift it locally)", job.customerId, r.code());
                die(job, rt, r.code(), r.message(), r.httpStatus());
                return Next.DEAD_LETTER;
            }
            case REJECTED -> {
                die(job, rt, r.code(), r.message(), r.httpStatus());
                return Next.DEAD_LETTER;
            }
            default -> {
                return unknownOutcome(rt, job, r.message()) ? Next.DEAD_LETTER : Next.WAIT;
            }
        }
    }

    /** The POST threw: refused connections never reached the provider; anything else may have. */
    public synchronized Next submitFailed(Job job, Throwable error) {
        ProviderRuntime rt = runtimes.get(job.provider);
        if (neverSent(error)) {
            return submitAnswered(job, SubmitResult.of(SubmitResult.Kind.RETRY, "CONNECTION_FAILED",
                    "could not connect to " + rt.settings.baseUrl() + ": " + error, 0));
        }
        return unknownOutcome(rt, job, "the submit got no answer: " + error) ? Next.DEAD_LETTER : Next.WAIT;
    }

    /**
     * A submit that may or may not have created a paid task. By default it is dead-lettered rather than
     * risk paying twice; its slot is still counted until such a task would have ended.
     *
     * @return true when the job went to the dead-letter channel
     */
    private boolean unknownOutcome(ProviderRuntime rt, Job job, String why) {
        Instant now = Instant.now();
        spend.maybeCreated(job);
        rt.slotHolders.remove(job.requestId);
        job.slotHeldUntil = now.plus(maxTaskLife(rt, job));
        rt.phantomSlots.add(job.slotHeldUntil);
        if (settings.resubmitOnUnknownOutcome()) {
            LOG.warn("job {} [{}] submit outcome unknown ({}); resubmitting as sora.submit.resubmit-on-unknown-outcome "
                    + "allows: this may pay twice", job.requestId, job.provider, why);
            requeue(rt, job, "outcome unknown, resubmit", why);
            return false;
        }
        die(job, null, "SUBMIT_OUTCOME_UNKNOWN", why + ". The provider may have created (and charged) a task; "
                + "it was not submitted again. Check the provider's dashboard, then resubmit with a new request_id "
                + "if needed", null);
        return true;
    }

    private Duration maxTaskLife(ProviderRuntime rt, Job job) {
        return settings.scaled(rt.adapter.firstCheckDelay(job)
                .plus(rt.settings.pollInterval().multipliedBy(rt.settings.maxStatusChecks())));
    }

    private void requeue(ProviderRuntime rt, Job job, String event, String detail) {
        rt.slotHolders.remove(job.requestId);
        if (job.state == JobState.POLLING) {
            rt.polling.remove(job);
        }
        job.state = JobState.QUEUED;
        job.record(event, detail);
        store.update(job);
        rt.queue.add(job);
    }

    /** Says once when submits stop or start again because of the submit window. */
    private boolean windowOpen(Instant now, ProviderRuntime rt) {
        boolean open = window == null || window.isOpen(now);
        if (open != windowWasOpen) {
            windowWasOpen = open;
            if (open) {
                LOG.warn("submit window OPEN: submits start again");
            } else {
                LOG.warn("submit window CLOSED: {} jobs of {} wait until {}; status checks and downloads go on",
                        rt.queue.size(), rt.settings.name(), window.nextOpen(now));
            }
        }
        return open;
    }

    /**
     * A pause lasts until the next re-check ({@code sora.pause.recheck-cron}, the {@code pause-recheck}
     * route): then the next submit is the probe; if it fails the same way, the pause starts again.
     */
    public synchronized void recheckPaused() {
        Instant now = Instant.now();
        for (ProviderRuntime rt : runtimes.values()) {
            if (rt.submitsPaused(now) || rt.statusPaused(now)) {
                LOG.warn("re-checking paused provider {} ({})", rt.settings.name(), rt.pauseCode);
                rt.submitPausedUntil = now;
                rt.statusPausedUntil = now;
            }
        }
    }

    private void pause(ProviderRuntime rt, String code, String message, boolean alsoStatus) {
        Instant until = Instant.MAX;
        boolean wasPaused = rt.pauseCode != null;
        rt.submitPausedUntil = until;
        if (alsoStatus) {
            rt.statusPausedUntil = until;
        }
        rt.pauseCode = code;
        rt.pauseMessage = message;
        rt.pauseStopsStatus = alsoStatus;
        if (!wasPaused) {
            rt.pausedSince = Instant.now(); // observe: shown by the readiness check
        }
        LOG.error("PAUSED provider {}: {} ({}). {} jobs wait, nothing is dead-lettered; re-checked on the cron "
                        + "'{}'{}", rt.settings.name(), code, message, rt.queue.size(), settings.pauseRecheckCron(),
                wasPaused ? " (still failing)" : "");
    }

    /**
     * A call that went through lifts the pause, if it proves the problem is over: any call for a refused token,
     * only a submit for no credit (status checks of running tasks go through while the account is empty).
     */
    private void resumeIfPaused(ProviderRuntime rt, boolean bySubmit) {
        if (rt.pauseCode != null && (bySubmit || rt.pauseStopsStatus)) {
            LOG.warn("RESUMED provider {}: the {} went through, the {} problem is over", rt.settings.name(),
                    bySubmit ? "submit" : "status check", rt.pauseCode);
            rt.pauseCode = null;
            rt.pauseMessage = null;
            rt.pausedSince = null;
            rt.pauseStopsStatus = false;
            rt.submitPausedUntil = null;
            rt.statusPausedUntil = null;
        }
    }

    // ---------------------------------------------------------------- poll

    /** The job whose status check is due first, if the status gate is open; its check is counted now. */
    public synchronized Job pickStatusCheck(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        Instant now = Instant.now();
        if (rt.polling.isEmpty() || rt.statusPaused(now)
                || (rt.statusBackoffUntil != null && now.isBefore(rt.statusBackoffUntil))) {
            return null;
        }
        Job due = rt.polling.first();
        if (due.nextCheckAt.isAfter(now) || !rt.statusGate.tryAcquire()) {
            return null;
        }
        rt.polling.remove(due);
        due.statusChecks++;
        store.update(due);
        return due;
    }

    public synchronized void releaseStatusGate(String provider) {
        runtimes.get(provider).statusGate.release();
    }

    public synchronized Next statusAnswered(Job job, StatusResult r) {
        ProviderRuntime rt = runtimes.get(job.provider);
        Instant now = Instant.now();
        int max = rt.settings.maxStatusChecks();
        switch (r.kind()) {
            case WAITING -> {
                rt.statusBackoffLevel = 0;
                resumeIfPaused(rt, false);
                if (!r.status().equals(job.lastStatus)) {
                    job.record("status", r.status());
                }
                job.lastStatus = r.status();
                if (job.statusChecks >= max) {
                    die(job, rt, "POLL_ATTEMPTS_EXHAUSTED", "the task was still '" + r.status() + "' after " + max
                            + " status checks; rejected locally as the provider asks (tasks never generated are not "
                            + "charged)", null);
                    return Next.DEAD_LETTER;
                }
                // a provider's poll-after hint may ask for more patience, never for less than the schedule
                return schedule(rt, job, now.plus(atLeast(settings.scaled(rt.settings.pollInterval()), r.providerWait())),
                        "status '" + r.status() + "' (check " + job.statusChecks + "/" + max + ")");
            }
            case COMPLETED -> {
                rt.statusBackoffLevel = 0;
                resumeIfPaused(rt, false);
                rt.slotHolders.remove(job.requestId);
                job.state = JobState.DOWNLOADING;
                job.lastStatus = r.status();
                job.resultUrl = r.resultUrl();
                job.completedSeenAt = now;
                job.record("completed", "after " + job.statusChecks + " checks");
                store.update(job);
                LOG.info("job {} [{}] task {} completed after {} checks; downloading", job.requestId, job.provider,
                        job.taskId, job.statusChecks);
                return Next.DOWNLOAD;
            }
            case TIMED_OUT -> {
                job.lastStatus = r.status();
                if (job.timeoutResubmits >= rt.settings.maxTimeoutResubmits()) {
                    die(job, rt, "TASK_TIMED_OUT", "the provider timed the task out (status 4) "
                            + (job.timeoutResubmits + 1) + " times; gave up after "
                            + rt.settings.maxTimeoutResubmits() + " resubmits", r.httpStatus());
                    return Next.DEAD_LETTER;
                }
                job.timeoutResubmits++;
                LOG.warn("job {} [{}] task {} timed out at the provider (status 4); resubmitting ({}/{})",
                        job.requestId, job.provider, job.taskId, job.timeoutResubmits, rt.settings.maxTimeoutResubmits());
                requeue(rt, job, "timed out", "task " + job.taskId + ", resubmit " + job.timeoutResubmits);
                return Next.WAIT;
            }
            case FAILED -> {
                job.lastStatus = r.status();
                die(job, rt, r.code(), r.message(), r.httpStatus(), r.commentRu(), r.commentEn());
                return Next.DEAD_LETTER;
            }
            case RETRY -> {
                Duration wait = atLeast(ProviderRuntime.backoff(settings, ++rt.statusBackoffLevel), r.providerWait());
                rt.statusBackoffUntil = now.plus(wait);
                LOG.warn("job {} [{}] status check failed, {}: {}; status checks wait {} ms", job.requestId,
                        job.provider, r.code(), r.message(), wait.toMillis());
                if (job.statusChecks >= max) {
                    die(job, rt, "POLL_ATTEMPTS_EXHAUSTED", "no final status after " + max
                            + " status checks (the last failed: " + r.code() + ")", r.httpStatus());
                    return Next.DEAD_LETTER;
                }
                return schedule(rt, job, now.plus(max(wait, settings.scaled(rt.settings.pollInterval()))),
                        "check failed: " + r.code());
            }
            case PAUSE -> {
                pause(rt, r.code(), r.message(), true);
                job.statusChecks--; // refused at the door: the task was not looked at
                return schedule(rt, job, now.plus(settings.scaled(rt.settings.pollInterval())), "paused: " + r.code());
            }
            default -> {
                job.slotHeldUntil = job.submittedAt.plus(maxTaskLife(rt, job));
                rt.phantomSlots.add(job.slotHeldUntil);
                die(job, rt, r.code(), r.message(), r.httpStatus());
                return Next.DEAD_LETTER;
            }
        }
    }

    public synchronized Next statusFailed(Job job, Throwable error) {
        ProviderRuntime rt = runtimes.get(job.provider);
        if (neverSent(error)) {
            job.statusChecks--;
        }
        return statusAnswered(job, StatusResult.error(StatusResult.Kind.RETRY, "CONNECTION_FAILED",
                "the status check failed: " + error, 0));
    }

    private Next schedule(ProviderRuntime rt, Job job, Instant next, String what) {
        job.nextCheckAt = next;
        store.update(job);
        rt.polling.add(job);
        LOG.info("job {} [{}] task {}: {}", job.requestId, job.provider, job.taskId, what);
        return Next.WAIT;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** {@code d}, or the provider's own wait when it asked for longer. */
    private static Duration atLeast(Duration d, Duration providerWait) {
        return providerWait == null ? d : max(d, providerWait);
    }

    // ---------------------------------------------------------------- download and store

    public synchronized void downloadStarting(Job job) {
        job.downloadAttempts++;
        store.update(job);
    }

    /** The instant after which the result link must be presumed dead. */
    public Instant linkDeadline(Job job) {
        return job.completedSeenAt.plus(settings.scaled(settings.linkLifetime()));
    }

    public synchronized void stored(Job job, String location, long bytes) {
        job.state = JobState.STORED;
        job.storedAt = Instant.now();
        job.storedLocation = location;
        job.videoBytes = bytes;
        job.notifyPending = true;
        job.record("stored", location);
        store.update(job);
        LOG.info("job {} [{}] stored: {} ({} bytes, {} s after the task completed)", job.requestId, job.provider,
                location, bytes, Duration.between(job.completedSeenAt, job.storedAt).toMillis() / 1000.0);
    }

    /** Sends a job to the dead-letter channel from outside the provider steps (download, store, a crash of a step). */
    public synchronized void fail(Job job, String code, String message) {
        if (!job.state.isFinal()) {
            die(job, runtimes.get(job.provider), code, message, null);
        }
    }

    // ---------------------------------------------------------------- dead letters

    private void die(Job job, ProviderRuntime rt, String code, String message, Integer httpStatus) {
        die(job, rt, code, message, httpStatus, null, null);
    }

    /** Marks the job dead; the dead-letter route writes it out and then confirms with {@link #deadLettered}. */
    private void die(Job job, ProviderRuntime rt, String code, String message, Integer httpStatus,
                     String commentRu, String commentEn) {
        if (rt != null) {
            rt.slotHolders.remove(job.requestId);
            // each set is ordered by fields only its members are sure to have
            if (job.state == JobState.POLLING) {
                rt.polling.remove(job);
            } else if (job.state == JobState.QUEUED) {
                rt.queue.remove(job);
            }
        }
        if (job.pendingCharge != null) {
            spend.maybeCreated(job); // a step failed after its POST may have left: counted as spent
        }
        job.state = JobState.DEAD;
        job.deadAt = Instant.now();
        job.deadCode = code;
        boolean paid = !job.charges.isEmpty();
        job.deadLetter = new DeadLetter(job.requestId, code, message, httpStatus, commentRu, commentEn,
                job.provider, job.customerId, job.taskId, attempts(job), job.source, job.deadAt,
                paid ? job.estimatedCost : null, paid ? job.currency : null);
        job.record("dead-lettered", code);
        store.update(job);
    }

    private static Map<String, Integer> attempts(Job job) {
        Map<String, Integer> a = new LinkedHashMap<>();
        a.put("tasksCreated", job.tasksCreated);
        a.put("submitRetries", job.submitRetries);
        a.put("timeoutResubmits", job.timeoutResubmits);
        a.put("statusChecks", job.statusChecks);
        a.put("downloadAttempts", job.downloadAttempts);
        return a;
    }

    public synchronized void deadLettered(Job job) {
        job.deadLetterWritten = true;
        job.notifyPending = true;
        store.update(job);
        DeadLetter d = job.deadLetter;
        LOG.warn("job {} [{}] DEAD-LETTERED {}: {}", job.requestId, job.provider, d.code(), d.message());
    }

    /** The notification endpoint took the job's event: it is not sent again at the next start. */
    public synchronized void notified(Job job) {
        if (job.notifyPending) {
            job.notifyPending = false;
            job.record("notified", job.state.name().toLowerCase(java.util.Locale.ROOT));
            store.update(job);
        }
    }

    /** A request turned away at intake: it never became a job, but a person should see it was here. */
    public record Rejected(String requestId, String source, String code, String message) {
    }

    private final List<Rejected> rejected = new ArrayList<>();

    public synchronized void rejectedAtIntake(Rejected r) {
        rejected.add(r);
        if (rejected.size() > 1000) {
            rejected.remove(0);
        }
        rejectedCount++;
    }

    private long rejectedCount;

    public synchronized List<Rejected> rejected() {
        return List.copyOf(rejected);
    }

    /** Retention: forgets finished jobs older than the cutoff. @return how many */
    public synchronized int forgetFinishedBefore(Instant cutoff) {
        List<String> old = new ArrayList<>();
        for (Job j : store.all()) {
            Instant end = j.state == JobState.STORED ? j.storedAt : j.state == JobState.DEAD ? j.deadAt : null;
            boolean settled = j.state == JobState.STORED || (j.state == JobState.DEAD && j.deadLetterWritten);
            boolean slotFree = j.slotHeldUntil == null || j.slotHeldUntil.isBefore(cutoff);
            // a record whose spend a budget still counts stays (spend is derived from the records)
            boolean spendCounted = spend.chargedRecently(j, Instant.now());
            if (settled && slotFree && !spendCounted && end != null && end.isBefore(cutoff)) {
                old.add(j.requestId);
            }
        }
        old.forEach(store::delete);
        return old.size();
    }

    // ---------------------------------------------------------------- progress

    /** Counts for the progress line and for tests: queued, active, downloading, stored, dead, paused. */
    public synchronized Map<String, Object> counts() {
        Map<String, Object> c = new LinkedHashMap<>();
        Map<JobState, Integer> byState = new java.util.EnumMap<>(JobState.class);
        for (Job j : store.all()) {
            byState.merge(j.state, 1, Integer::sum);
        }
        c.put("queued", byState.getOrDefault(JobState.QUEUED, 0));
        Instant now = Instant.now();
        int active = 0;
        List<String> paused = new ArrayList<>();
        for (ProviderRuntime rt : runtimes.values()) {
            active += rt.active(now);
            if (rt.submitsPaused(now) || rt.statusPaused(now)) {
                paused.add(rt.settings.name() + ":" + rt.pauseCode);
            }
        }
        c.put("active", active);
        c.put("downloading", byState.getOrDefault(JobState.DOWNLOADING, 0));
        c.put("stored", byState.getOrDefault(JobState.STORED, 0));
        c.put("dead", byState.getOrDefault(JobState.DEAD, 0));
        c.put("rejected", rejectedCount);
        c.put("paused", paused.isEmpty() ? "no" : String.join(",", paused));
        List<Job> queued = new ArrayList<>();
        runtimes.values().forEach(rt -> queued.addAll(rt.queue));
        c.putAll(spend.progress(queued, now));
        return c;
    }

    /** observe: each provider's queue, slots and pause, for health checks and metrics. */
    public synchronized List<ProviderView> providerViews() {
        Instant now = Instant.now();
        List<ProviderView> views = new ArrayList<>();
        for (ProviderRuntime rt : runtimes.values()) {
            views.add(new ProviderView(rt.settings.name(), rt.queue.size(), rt.polling.size(), rt.active(now),
                    rt.settings.activeTasks(), rt.pauseCode, rt.pauseMessage, rt.pausedSince));
        }
        return views;
    }

    /** observe: jobs on record by provider and state (final ones until retention forgets them). */
    public synchronized Map<String, Map<JobState, Integer>> jobCounts() {
        Map<String, Map<JobState, Integer>> c = new LinkedHashMap<>();
        for (Job j : store.all()) {
            c.computeIfAbsent(j.provider, p -> new java.util.EnumMap<>(JobState.class)).merge(j.state, 1, Integer::sum);
        }
        return c;
    }

    /** True when no job is waiting or under way. */
    public synchronized boolean idle() {
        return store.all().stream().allMatch(j -> j.state.isFinal() && (j.state != JobState.DEAD || j.deadLetterWritten));
    }

    /** The call never reached the provider (refused connection, unknown host): nothing can have been created. */
    public static boolean neverSent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpHostConnectException
                    || t instanceof UnknownHostException) {
                return true;
            }
        }
        return false;
    }
}
