package dev.soracamel.flow;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.job.Account;
import dev.soracamel.job.Account.Call;
import dev.soracamel.job.BanList;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ListedTask;
import dev.soracamel.provider.LookupResult;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;
import dev.soracamel.spend.Spend;
import dev.soracamel.text.Untrusted;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's lifecycle: every transition, decided from the provider's answer by the policy tables of the
 * {@link SubmitResult} and {@link StatusResult} kinds, written to the {@link JobRepository} as a compare-and-set
 * before the step that depends on it runs. What spends an account's limits (a slot, the next submit, the next
 * status check) is decided inside the repository's account transaction by the account's {@link AccountRules}, so
 * the limits hold for every node sharing the repository. The routes decide nothing themselves: they ask the board
 * what to do next. Reads for people (counts, views) are in {@link JobQueries}.
 * <p>
 * A write that fails its version check means another node took the job's step over (this one stalled past its
 * claim): the step is dropped here, with a log line, and never acted on.
 */
public class JobBoard {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");
    /** Queued jobs looked at per submit decision: enough to find one a budget lets through behind some it holds. */
    private static final int QUEUE_LOOKAHEAD = 200;

    private final SoraSettings settings;
    private final JobRepository repo;
    private final BanList bans;
    private final Map<String, ProviderRuntime> runtimes = new LinkedHashMap<>();

    private final SubmitWindow window;
    private boolean windowWasOpen = true;
    /** Prices and budgets: checked before each submit, charged from each submit's answer. */
    private final Spend spend;
    private final JobQueries queries;
    private final Delivery delivery;
    /** When each task is looked at next (learned first checks, the provider's percent done). */
    private final StatusSchedule schedule;
    /** How long this node's recent finished tasks held their slot before a check saw them (for the progress line). */
    final SlotIdle slotIdle = new SlotIdle(100);

    /**
     * Hears every call first, for the calls per minute people see, then hands it on to the observer (the
     * metrics; nobody unless set).
     */
    private final CallRate calls = new CallRate(System::currentTimeMillis);

    /** A board without spend control: no prices, no budgets (for tests of other concerns). */
    public JobBoard(SoraSettings settings, JobRepository repo, BanList bans, Map<String, ProviderAdapter> adapters) {
        this(settings, repo, bans, adapters, Spend.off(java.time.ZoneId.of(settings.timeZone())));
    }

    public JobBoard(SoraSettings settings, JobRepository repo, BanList bans, Map<String, ProviderAdapter> adapters,
                    Spend spend) {
        this.settings = settings;
        this.repo = repo;
        this.bans = bans;
        this.spend = spend;
        this.window = SubmitWindow.of(settings.submitWindowOpenCron(), settings.submitWindowCloseCron(),
                java.util.TimeZone.getTimeZone(settings.timeZone()));
        adapters.forEach((name, adapter) ->
                runtimes.put(name, new ProviderRuntime(settings.provider(name), adapter, settings)));
        this.queries = new JobQueries(repo, runtimes, spend, this);
        this.delivery = new Delivery(this, repo, settings, spend);
        this.schedule = new StatusSchedule(settings.learnStatusSchedule());
    }

    public SoraSettings settings() {
        return settings;
    }

    public Spend spend() {
        return spend;
    }

    public JobRepository repository() {
        return repo;
    }

    /** What happens to a job after its task completed: download, store, dead letter, event. */
    public Delivery delivery() {
        return delivery;
    }

    /** Counts and views for people: the progress line, REST, readiness and metrics. */
    public JobQueries queries() {
        return queries;
    }

    /** observe: the steps report provider calls and stored jobs here. */
    public FlowEvents events() {
        return calls;
    }

    public void events(FlowEvents listener) {
        calls.next(listener == null ? FlowEvents.NONE : FlowEvents.guarded(listener));
    }

    /** The observer set with {@link #events(FlowEvents)}, NONE when there is none. */
    public FlowEvents observer() {
        return calls.next();
    }

    /** This node's API calls to the provider in the last minute. */
    public int apiCallsLastMinute(String provider) {
        return calls.apiCalls(provider);
    }

    /** This node's downloads from the provider's links in the last minute. */
    public int downloadsLastMinute(String provider) {
        return calls.downloads(provider);
    }

    public ProviderAdapter adapter(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        return rt == null ? null : rt.adapter;
    }

    public Optional<Job> find(String requestId) {
        return repo.find(requestId);
    }

    public boolean isBanned(String customerId) {
        return bans.isBanned(customerId);
    }

    /** The claim every step of this node writes on the job it works on: the job is this node's until then. */
    void claim(Job job, Instant now, Duration lease) {
        job.claimedBy = repo.node();
        job.claimUntil = now.plus(lease);
    }

    static void unclaim(Job job) {
        job.claimedBy = null;
        job.claimUntil = null;
    }

    /** Writes the job, or says that another node changed it first. */
    boolean save(Job job, String step) {
        if (repo.update(job)) {
            return true;
        }
        LOG.warn("job {} [{}]: another node changed it while this one was {}; this node dropped the step",
                job.requestId, settings.who(job.provider), step);
        return false;
    }

    // ---------------------------------------------------------------- start

    /**
     * What this node does at start, before its routes run. A process alone on its repository (the file
     * repository's folder lock) takes every account's gates back at once: its predecessor's calls are over, but
     * the next call waits one spacing in case one reached the provider just before it died. Jobs of a provider
     * that is no longer configured, and records from before accounts existed, are settled. What is left half
     * done (a submit on the wire, a download, a dead letter or an event) is found by {@link #recover()}.
     *
     * @return jobs that this start sent to the dead-letter channel
     */
    public synchronized List<String> start() {
        Instant now = repo.now();
        List<String> dead = new ArrayList<>();
        if (repo.exclusive()) {
            for (ProviderRuntime rt : runtimes.values()) {
                repo.inAccount(rt.account(), false, tx -> {
                    rt.rules.restarted(tx.account(), tx.now());
                    return null;
                });
            }
            for (Job job : repo.list(EnumSet.of(JobState.QUEUED, JobState.SUBMITTING, JobState.POLLING,
                    JobState.DOWNLOADING, JobState.STORING), Integer.MAX_VALUE)) {
                ProviderRuntime rt = runtimes.get(job.provider);
                if (rt == null) {
                    die(job, "PROVIDER_NOT_CONFIGURED", "provider '" + job.provider
                            + "' is no longer configured; the job cannot continue", null, null, null);
                    if (save(job, "settling an unconfigured provider's job")) {
                        dead.add(job.requestId);
                    }
                } else if (job.account == null) {
                    job.account = rt.account(); // a record written before accounts were kept
                    save(job, "naming its account");
                }
            }
        }
        // what today's submits committed comes from the job records, so a restart cannot reset a budget
        rebuildSpend(now);
        LOG.info("{}job repository{}: {}", Props.logPrefix(settings.pipeline()), repo.exclusive() ? "" : " (shared, node " + repo.node() + ")",
                queries.counts());
        return dead;
    }

    private void rebuildSpend(Instant now) {
        spend.rebuild(repo.chargedSince(now.minus(Duration.ofDays(2))), now);
    }

    /** Steps left to do whose claim lapsed (or, at start, whatever the previous process left). */
    public record Recovery(List<String> downloads, List<String> stores, List<String> deadLetters,
                           List<String> notifications) {
        public boolean isEmpty() {
            return downloads.isEmpty() && stores.isEmpty() && deadLetters.isEmpty() && notifications.isEmpty();
        }
    }

    /**
     * Takes over the steps no node is doing: a submit whose answer never came (its node died or stalled past its
     * claim) becomes an unknown outcome, never a blind resubmit; a download goes ahead if its link can still be
     * alive; a dead letter is written; an event is sent. Each is claimed by a version check first, so two nodes
     * never take the same step.
     */
    public synchronized Recovery recover() {
        List<String> downloads = new ArrayList<>();
        List<String> stores = new ArrayList<>();
        List<String> dead = new ArrayList<>();
        List<String> notify = new ArrayList<>();
        Instant now = repo.now();
        for (Job job : repo.orphans(500)) {
            ProviderRuntime rt = runtimes.get(job.provider);
            if (rt == null) {
                continue; // settled at start on a node alone; on a cluster, a node that has the provider takes it
            }
            String from = job.claimedBy == null ? "" : " (taken over from " + job.claimedBy + ")";
            claim(job, now, settings.stepLease());
            switch (job.state) {
                case SUBMITTING -> {
                    boolean gone = unknownOutcome(rt, job, "the node that sent this job's submit stopped before its "
                            + "answer came" + from);
                    if (save(job, "taking over a submit") && gone) {
                        dead.add(job.requestId);
                    }
                }
                case DOWNLOADING, STORING -> {
                    // what is stored, or downloaded, decides: a paid video is fetched again only if it is nowhere
                    String next = delivery.whatIsLeft(job, now);
                    switch (next) {
                        case "store" -> {
                            job.state = JobState.STORING;
                            job.record("store resumed", job.videoLocation != null && !Delivery.hasDownloadedFile(job)
                                    ? "the video is stored at " + job.videoLocation + "; its metadata is written again"
                                    : "from " + job.downloadedFile + (from.isEmpty() ? "" : from));
                            if (save(job, "taking over a store")) {
                                stores.add(job.requestId);
                            }
                        }
                        case "download" -> {
                            job.state = JobState.DOWNLOADING;
                            job.record("download resumed", from.isEmpty() ? "after a restart" : from.strip());
                            if (save(job, "taking over a download")) {
                                downloads.add(job.requestId);
                            }
                        }
                        default -> {
                            die(job, "RESULT_LINK_EXPIRED", "the video was ready at " + job.completedSeenAt
                                    + " but its link (alive " + settings.linkLifetime().toMinutes()
                                    + " min) expired before it was downloaded", null, null, null);
                            if (save(job, "giving up an expired download")) {
                                dead.add(job.requestId);
                            }
                        }
                    }
                }
                case DEAD -> {
                    if (save(job, job.deadLetterWritten ? "taking over an event" : "taking over a dead letter")) {
                        (job.deadLetterWritten ? notify : dead).add(job.requestId);
                    }
                }
                default -> {
                    if (job.notifyPending && save(job, "taking over an event")) {
                        notify.add(job.requestId);
                    }
                }
            }
        }
        if (!downloads.isEmpty() || !stores.isEmpty() || !dead.isEmpty() || !notify.isEmpty()) {
            LOG.info("{}took over {} downloads, {} stores, {} dead letters and {} events left by a previous run, a "
                    + "storage outage or another node", Props.logPrefix(settings.pipeline()), downloads.size(), stores.size(), dead.size(), notify.size());
        }
        return new Recovery(downloads, stores, dead, notify);
    }

    // ---------------------------------------------------------------- intake

    /** @return false when the request id was taken before (also by an earlier run, or on another node) */
    public synchronized boolean accept(Job job) {
        ProviderRuntime rt = runtimes.get(job.provider);
        job.state = JobState.QUEUED;
        job.account = rt.account();
        job.acceptedAt = repo.now();
        spend.price(job);
        job.record("accepted", "from " + job.source);
        if (!repo.create(job)) {
            return false;
        }
        LOG.info("job {} [{}] accepted from {}: queued", job.requestId, settings.who(job.provider), job.source);
        return true;
    }

    // ---------------------------------------------------------------- submit

    /**
     * A job picked for a step: the job, what to do with it, and for a call the moment (this JVM's
     * {@link System#nanoTime()}) after which its claim must not be sent.
     */
    public record Pick(Job job, Next next, long sendBy) {
        Pick(Job job, Next next) {
            this(job, next, 0);
        }
    }

    private long sendBy() {
        // a margin for the time between the database's clock reading and this one
        long lease = settings.claimLease().toNanos();
        return System.nanoTime() + lease - Math.min(lease / 5, Duration.ofSeconds(1).toNanos());
    }

    /**
     * The next job to submit, if the account has a free slot, its submit gate is open and it is not paused. The
     * slot and the gate are taken and the job is recorded as submitting, in one transaction, before its POST is
     * built.
     */
    public synchronized Pick pickSubmit(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        boolean budgets = spend.settings().hasBudget() && !repo.exclusive();
        return repo.inAccount(rt.account(), budgets, tx -> pickSubmit(rt, tx));
    }

    private Pick pickSubmit(ProviderRuntime rt, JobRepository.AccountTx tx) {
        Instant now = tx.now();
        Account a = tx.account();
        if (!rt.rules.mayCall(a, Call.SUBMIT, now) || !windowOpen(now, rt)) {
            return null;
        }
        int slots = tx.slotsInUse();
        boolean slotFree = slots < rt.settings.activeTasks();
        // With no slot free only the head can move (to the dead letters, over a budget or unpriced): reading the
        // whole lookahead on every tick of a long queue was what a backlog's intake waited for.
        List<Job> queue = tx.queued(slotFree ? QUEUE_LOOKAHEAD : 1);
        if (queue.isEmpty()) {
            return null;
        }
        if (spend.settings().hasBudget() && !repo.exclusive()) {
            // other nodes' submits count against the same budgets: what they committed is read under the budget lock
            spend.rebuild(tx.chargedSince(now.minus(Duration.ofDays(2))), now);
        }
        // The first queued job the budgets leave room for. One over a budget waits, taking no slot, while later
        // ones that fit go ahead (or it is dead-lettered, sora.budget.over); one without a price is refused
        // (sora.prices.unpriced). All of it before a slot is taken.
        Job head = null;
        Spend.Verdict verdict = Spend.Verdict.GO;
        for (Job j : queue) {
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
            die(head, "CUSTOMER_BANNED", "customer '" + head.customerId
                    + "' was banned by the provider; none of its requests are sent", null, null, null);
            claim(head, now, settings.stepLease());
            return tx.update(head) ? new Pick(head, Next.DEAD_LETTER) : null;
        }
        if (verdict != Spend.Verdict.GO) {
            String why = verdict == Spend.Verdict.BUDGET_EXCEEDED ? spend.overBudgetMessage(head, now)
                    : spend.unpricedMessage(head.provider, head.request);
            die(head, verdict.name(), why, null, null, null);
            claim(head, now, settings.stepLease());
            return tx.update(head) ? new Pick(head, Next.DEAD_LETTER) : null;
        }
        if (!slotFree) {
            return null;
        }
        rt.rules.take(a, Call.SUBMIT, now, repo.node());
        head.state = JobState.SUBMITTING;
        // the job is this node's until its answer can no longer come: then another node calls the outcome unknown
        claim(head, now, settings.claimLease().plus(rt.settings.connectTimeout()).plus(rt.settings.responseTimeout()));
        spend.submitting(head, now);
        head.submitSentAt = now;
        head.record("submitting", "slot " + (slots + 1) + "/" + rt.settings.activeTasks());
        if (!tx.update(head)) {
            return null;
        }
        return new Pick(head, Next.SUBMIT, sendBy());
    }

    /**
     * The submit's exchange ends: a gate its answer did not release (the call could not be built, or failed in a
     * way no rule foresaw) is released here, so the account is not held until the lease lapses.
     */
    public synchronized void releaseSubmitGate(String provider) {
        release(runtimes.get(provider), Call.SUBMIT);
    }

    /** The gate-renewal clock (a third of the claim lease): gates of calls still waiting for their answer stay held. */
    public void renewGates() {
        for (ProviderRuntime rt : runtimes.values()) {
            if (rt.rules.waitingForAnAnswer()) {
                try {
                    synchronized (this) {
                        repo.inAccount(rt.account(), false, tx -> {
                            rt.rules.renew(tx.account(), tx.now(), repo.node());
                            return null;
                        });
                    }
                } catch (JobRepository.UnavailableException e) {
                    RepositoryOutage.waiting("renewing a gate", e);
                }
            }
        }
    }

    private void release(ProviderRuntime rt, Call call) {
        String node = repo.node();
        repo.inAccount(rt.account(), false, tx -> {
            Account a = tx.account();
            if (node.equals(call == Call.SUBMIT ? a.submitBusyBy : a.statusBusyBy)) {
                rt.rules.release(a, call, tx.now(), node);
            }
            return null;
        });
    }

    public synchronized Next submitAnswered(Job job, SubmitResult r) {
        ProviderRuntime rt = runtimes.get(job.provider);
        return repo.inAccount(rt.account(), false, tx -> {
            rt.rules.release(tx.account(), Call.SUBMIT, tx.now(), repo.node());
            Next next = submitAnswered(rt, tx, job, r);
            if (!tx.update(job)) {
                LOG.warn("job {} [{}]: its submit was answered ({}{}) after another node took the job over; this "
                                + "node dropped the answer", job.requestId, settings.who(job.provider), r.kind(),
                        r.taskId() == null ? "" : ", task " + r.taskId());
                return Next.WAIT;
            }
            return next;
        });
    }

    private Next submitAnswered(ProviderRuntime rt, JobRepository.AccountTx tx, Job job, SubmitResult r) {
        Instant now = tx.now();
        Account a = tx.account();
        // a created task is committed spend; a refusal created none (unknown: see unknownOutcome)
        if (r.kind() == SubmitResult.Kind.CREATED) {
            spend.taskCreated(job, r.taskId());
        } else if (r.kind() != SubmitResult.Kind.OUTCOME_UNKNOWN) {
            spend.noTask(job);
        }
        switch (r.kind()) {
            case CREATED -> {
                rt.rules.clearBackoff(a, Call.SUBMIT);
                rt.rules.resumeIfPaused(a, true);
                unclaim(job);
                job.state = JobState.POLLING;
                job.taskId = r.taskId();
                job.taskIds.add(r.taskId());
                job.tasksCreated++;
                job.submitRetries = 0;
                job.submittedAt = now;
                job.statusChecks = 0;
                job.progressFirst = null;
                job.progressLast = null;
                job.runningSeenAt = null;
                job.expectedEndAt = null;
                StatusSchedule.Plan first = schedule.first(a, job, now, settings.scaled(rt.adapter.firstCheckDelay(job)));
                job.nextCheckAt = first.at();
                job.checkPlan = first.why();
                job.record("submitted", "task " + r.taskId());
                LOG.info("job {} [{}] submitted as task {} (slot {}/{}); first status check at {}", job.requestId,
                        settings.who(job.provider), r.taskId(), tx.slotsInUse(), rt.settings.activeTasks(), job.nextCheckAt);
                return Next.WAIT;
            }
            case RETRY -> {
                job.submitRetries++;
                if (!"TASK_LIMIT_EXCEEDED".equals(r.code()) && !"TOO_MANY_REQUESTS".equals(r.code())
                        && job.submitRetries > settings.maxSubmitRetries()) {
                    die(job, r.code(), r.message() + "; gave up after " + settings.maxSubmitRetries()
                            + " retries (sora.submit.max-retries)", r.httpStatus(), null, null);
                    claim(job, now, settings.stepLease());
                    return Next.DEAD_LETTER;
                }
                Duration wait = rt.rules.backoff(a, Call.SUBMIT, now, r.providerWait());
                requeue(job, "retry", r.code() + ": " + r.message());
                LOG.warn("job {} [{}] submit refused, {}: {}; submits wait {} ms", job.requestId, settings.who(job.provider),
                        r.code(), r.message(), wait.toMillis());
                return Next.WAIT;
            }
            case PAUSE -> {
                rt.rules.pause(a, now, r.code(), r.message(), "UNAUTHORIZED".equals(r.code()) || r.httpStatus() == 401
                        || r.httpStatus() == 403, tx.queued(QUEUE_LOOKAHEAD).size() + 1);
                requeue(job, "paused", r.code());
                return Next.WAIT;
            }
            case CUSTOMER_BANNED -> {
                bans.ban(job.customerId);
                LOG.warn("{}customer '{}' is {} at provider {}; its requests are dead-lettered from now on "
                        + "(ban list: remove the line to lift it locally)", Props.logPrefix(settings.pipeline()),
                        job.customerId, r.code(), job.provider);
                die(job, r.code(), r.message(), r.httpStatus(), null, null);
                claim(job, now, settings.stepLease());
                return Next.DEAD_LETTER;
            }
            case REJECTED -> {
                die(job, r.code(), r.message(), r.httpStatus(), null, null);
                claim(job, now, settings.stepLease());
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
        return repo.inAccount(rt.account(), false, tx -> {
            rt.rules.release(tx.account(), Call.SUBMIT, tx.now(), repo.node());
            boolean gone = unknownOutcome(rt, job, "the submit got no answer: " + error);
            if (!tx.update(job)) {
                LOG.warn("job {} [{}]: its submit got no answer, and another node had already taken the job over",
                        job.requestId, settings.who(job.provider));
                return Next.WAIT;
            }
            return gone ? Next.DEAD_LETTER : Next.WAIT;
        });
    }

    /**
     * A submit that may or may not have created a paid task. Where the provider lists the account's recent
     * tasks, the job first looks its task up there ({@link #lookupAnswered}); otherwise, or when the lookup
     * cannot tell, it is dead-lettered rather than risk paying twice. The caller writes the job.
     *
     * @return true when the job goes to the dead-letter channel
     */
    private boolean unknownOutcome(ProviderRuntime rt, Job job, String why) {
        Instant now = repo.now();
        if (settings.lookup().enabled() && rt.adapter.canLookUp() && job.lookup == null && submitLeft(job) != null) {
            // POLLING without a task: the job keeps its slot, and its lookup waits for the status gate like a check.
            // Its charge counts as spent meanwhile, as for any unknown outcome: budgets are rebuilt from charges.
            spend.maybeCreated(job);
            unclaim(job);
            job.state = JobState.POLLING;
            job.lookup = new Job.Lookup();
            job.lookup.since = now;
            job.lookup.why = why;
            job.nextCheckAt = now.plus(settings.scaled(settings.lookup().firstDelay()));
            job.record("outcome unknown, looking the task up", why);
            LOG.warn("job {} [{}] submit outcome unknown ({}); looking its task up in the provider's list at {}",
                    job.requestId, settings.who(job.provider), why, job.nextCheckAt);
            return false;
        }
        return outcomeStaysUnknown(rt, job, why, rt.adapter.canLookUp() ? null : noLookupAdvice(rt, job, now));
    }

    /**
     * Today's rule for an outcome nobody could settle: dead-lettered (or resubmitted, if so configured), its slot
     * counted until such a task would have ended.
     *
     * @param finding what a lookup found, or for a provider without a list what to ask its support; may be null
     */
    private boolean outcomeStaysUnknown(ProviderRuntime rt, Job job, String why, String finding) {
        Instant now = repo.now();
        job.lookup = null;
        spend.maybeCreated(job);
        // a task made by the lost submit started no earlier than the POST left: its end is counted from then
        Instant left = submitLeft(job);
        holdPhantomSlot(rt, job, left != null && left.isBefore(now) ? left : now);
        if (settings.resubmitOnUnknownOutcome()) {
            LOG.warn("job {} [{}] submit outcome unknown ({}{}); resubmitting as sora.submit.resubmit-on-unknown-outcome "
                    + "allows: this may pay twice", job.requestId, settings.who(job.provider), why,
                    finding == null ? "" : "; " + finding);
            requeue(job, "outcome unknown, resubmit", why);
            return false;
        }
        die(job, "SUBMIT_OUTCOME_UNKNOWN", why + ". The provider may have created (and charged) a task; "
                + "it was not submitted again. " + (finding == null ? "Check the provider's dashboard, then resubmit "
                + "with a new request_id if needed" : finding), null, null, null);
        claim(job, now, settings.stepLease());
        return true;
    }

    /** When the submit's POST left: recorded since lookups exist, else the moment its charge was counted. */
    private static Instant submitLeft(Job job) {
        return job.submitSentAt != null ? job.submitSentAt
                : job.pendingCharge != null ? job.pendingCharge.at() : null;
    }

    /** For a provider with no list of tasks: what a person asks its support, in plain words. */
    private String noLookupAdvice(ProviderRuntime rt, Job job, Instant now) {
        Instant left = submitLeft(job);
        String prompt = job.request == null ? "" : job.request.path("prompt").asText("");
        String[] words = prompt.strip().split("\\s+");
        String start = String.join(" ", java.util.Arrays.copyOf(words, Math.min(words.length, 8)))
                + (words.length > 8 ? " ..." : "");
        java.time.format.DateTimeFormatter utc = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC);
        return "A paid task may exist at " + rt.settings.name() + ": the submit left at "
                + (left == null ? "an unknown time" : utc.format(left) + " UTC") + " and its answer never came. This "
                + "provider has no call to look tasks up, so ask its support whether the account of the token in "
                + "sora.provider." + rt.settings.name() + ".token created a task between "
                + (left == null ? "?" : utc.format(left.minus(LostTaskMatch.CLOCK_SLACK))) + " and "
                + utc.format(now.plus(LostTaskMatch.CLOCK_SLACK)) + " UTC"
                + (job.customerId == null ? "" : " for customer_id '" + Untrusted.esc(job.customerId) + "'")
                + " with a prompt starting \"" + Untrusted.esc(start) + "\"; if it did, ask them for its video (or its refund), "
                + "otherwise resubmit the request with a new request_id";
    }

    /**
     * One more task the provider may be running for this job without us polling it: counted as a slot until such a
     * task would surely have ended (the latest of them, when answers were lost more than once).
     */
    private void holdPhantomSlot(ProviderRuntime rt, Job job, Instant taskStarted) {
        Instant until = taskStarted.plus(maxTaskLife(rt, job));
        boolean live = job.slotHeldUntil != null && job.slotHeldUntil.isAfter(repo.now());
        job.phantomSlots = live ? Math.max(job.phantomSlots, 1) + 1 : 1;
        job.slotHeldUntil = AccountRules.latest(job.slotHeldUntil, until);
    }

    private Duration maxTaskLife(ProviderRuntime rt, Job job) {
        return settings.scaled(rt.adapter.firstCheckDelay(job)
                .plus(rt.settings.pollInterval().multipliedBy(rt.settings.maxStatusChecks())));
    }

    private static void requeue(Job job, String event, String detail) {
        unclaim(job);
        job.state = JobState.QUEUED;
        job.nextCheckAt = null;
        job.record(event, detail);
    }

    /** Says once when submits stop or start again because of the submit window. */
    private boolean windowOpen(Instant now, ProviderRuntime rt) {
        boolean open = window == null || window.isOpen(now);
        if (open != windowWasOpen) {
            windowWasOpen = open;
            if (open) {
                LOG.warn("{}submit window OPEN: submits start again", Props.logPrefix(settings.pipeline()));
            } else {
                LOG.warn("submit window CLOSED: jobs of {} wait until {}; status checks and downloads go on",
                        settings.who(rt.settings.name()), window.nextOpen(now));
            }
        }
        return open;
    }

    /**
     * The pause re-check clock ({@code sora.pause.recheck-cron}): a paused account tries again, its next submit
     * being the probe; if it fails the same way, the pause starts again.
     */
    public synchronized void recheckPaused() {
        for (ProviderRuntime rt : runtimes.values()) {
            repo.inAccount(rt.account(), false, tx -> rt.rules.recheck(tx.account(), tx.now()));
        }
    }

    // ---------------------------------------------------------------- poll

    /**
     * The job whose status check is due first, if the account's status gate is open. Its check is counted, and
     * its next check time moved one interval on, before the GET is built: a restart, or another node, never
     * checks it again too soon.
     */
    public synchronized Pick pickStatusCheck(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        return repo.inAccount(rt.account(), false, tx -> {
            Instant now = tx.now();
            if (!rt.rules.mayCall(tx.account(), Call.STATUS, now)) {
                return null;
            }
            Job due = tx.dueCheck().orElse(null);
            if (due == null) {
                return null;
            }
            rt.rules.take(tx.account(), Call.STATUS, now, repo.node());
            if (due.lookup == null) {
                due.statusChecks++; // a lookup is not a check of a task: the task's allowance is not spent on it
                if (due.statusChecks == 1) {
                    schedule.firstCheckLeaving(due, now);
                }
            }
            due.nextCheckAt = now.plus(settings.scaled(rt.settings.pollInterval()));
            return tx.update(due) ? new Pick(due, Next.CHECK, sendBy()) : null;
        });
    }

    public synchronized void releaseStatusGate(String provider) {
        release(runtimes.get(provider), Call.STATUS);
    }

    public synchronized Next statusAnswered(Job job, StatusResult r) {
        ProviderRuntime rt = runtimes.get(job.provider);
        return repo.inAccount(rt.account(), false, tx -> {
            rt.rules.release(tx.account(), Call.STATUS, tx.now(), repo.node());
            Next next = statusAnswered(rt, tx, job, r);
            if (!tx.update(job)) {
                LOG.warn("job {} [{}]: the answer to its status check ({}) came after another node checked it again; "
                        + "this node dropped the answer", job.requestId, settings.who(job.provider), r.status());
                return Next.WAIT;
            }
            return next;
        });
    }

    private Next statusAnswered(ProviderRuntime rt, JobRepository.AccountTx tx, Job job, StatusResult r) {
        Instant now = tx.now();
        Account a = tx.account();
        int max = rt.settings.maxStatusChecks();
        switch (r.kind()) {
            case WAITING -> {
                rt.rules.clearBackoff(a, Call.STATUS);
                rt.rules.resumeIfPaused(a, false);
                if (!r.status().equals(job.lastStatus)) {
                    job.record("status", r.status());
                }
                job.lastStatus = r.status();
                if (job.statusChecks >= max) {
                    die(job, "POLL_ATTEMPTS_EXHAUSTED", "the task was still '" + r.status() + "' after " + max
                            + " status checks; rejected locally as the provider asks (tasks never generated are not "
                            + "charged)", null, null, null);
                    claim(job, now, settings.stepLease());
                    return Next.DEAD_LETTER;
                }
                firstAnswered(rt, a, job, false, now);
                // a provider's poll-after hint may ask for more patience, never for less than the schedule
                StatusSchedule.Plan plan = schedule.next(a, job, now, settings.scaled(rt.settings.pollInterval()),
                        r.providerWait(), r.progress());
                job.checkPlan = plan.why();
                return schedule(job, plan.at(), "status '" + r.status() + "' (check " + job.statusChecks + "/" + max
                        + "); next check " + plan.why());
            }
            case COMPLETED -> {
                rt.rules.clearBackoff(a, Call.STATUS);
                rt.rules.resumeIfPaused(a, false);
                firstAnswered(rt, a, job, true, now);
                job.checkPlan = null;
                slotIdle.add(StatusSchedule.idleEstimate(job, now, settings.scaled(rt.adapter.firstCheckDelay(job))));
                job.state = JobState.DOWNLOADING;
                job.nextCheckAt = null;
                job.lastStatus = r.status();
                job.resultUrl = r.resultUrl();
                job.completedSeenAt = now;
                claim(job, now, settings.stepLease());
                job.record("completed", "after " + job.statusChecks + " checks");
                LOG.info("job {} [{}] task {} completed after {} checks; downloading", job.requestId, settings.who(job.provider),
                        job.taskId, job.statusChecks);
                return Next.DOWNLOAD;
            }
            case TIMED_OUT -> {
                job.lastStatus = r.status();
                if (job.timeoutResubmits >= rt.settings.maxTimeoutResubmits()) {
                    die(job, "TASK_TIMED_OUT", "the provider timed the task out (status 4) "
                            + (job.timeoutResubmits + 1) + " times; gave up after "
                            + rt.settings.maxTimeoutResubmits() + " resubmits", r.httpStatus(), null, null);
                    claim(job, now, settings.stepLease());
                    return Next.DEAD_LETTER;
                }
                job.timeoutResubmits++;
                LOG.warn("job {} [{}] task {} timed out at the provider (status 4); resubmitting ({}/{})",
                        job.requestId, settings.who(job.provider), job.taskId, job.timeoutResubmits, rt.settings.maxTimeoutResubmits());
                requeue(job, "timed out", "task " + job.taskId + ", resubmit " + job.timeoutResubmits);
                return Next.WAIT;
            }
            case FAILED -> {
                job.lastStatus = r.status();
                die(job, r.code(), r.message(), r.httpStatus(), r.commentRu(), r.commentEn());
                claim(job, now, settings.stepLease());
                return Next.DEAD_LETTER;
            }
            case RETRY -> {
                Duration wait = rt.rules.backoff(a, Call.STATUS, now, r.providerWait());
                LOG.warn("job {} [{}] status check failed, {}: {}; status checks wait {} ms", job.requestId,
                        settings.who(job.provider), r.code(), r.message(), wait.toMillis());
                if (job.statusChecks >= max) {
                    die(job, "POLL_ATTEMPTS_EXHAUSTED", "no final status after " + max
                            + " status checks (the last failed: " + r.code() + ")", r.httpStatus(), null, null);
                    claim(job, now, settings.stepLease());
                    return Next.DEAD_LETTER;
                }
                return schedule(job, now.plus(AccountRules.max(wait, settings.scaled(rt.settings.pollInterval()))),
                        "check failed: " + r.code());
            }
            case PAUSE -> {
                rt.rules.pause(a, now, r.code(), r.message(), true, tx.queued(QUEUE_LOOKAHEAD).size());
                job.statusChecks--; // refused at the door: the task was not looked at
                return schedule(job, now.plus(settings.scaled(rt.settings.pollInterval())), "paused: " + r.code());
            }
            default -> {
                holdPhantomSlot(rt, job, job.submittedAt);
                die(job, r.code(), r.message(), r.httpStatus(), null, null);
                claim(job, now, settings.stepLease());
                return Next.DEAD_LETTER;
            }
        }
    }

    public synchronized Next statusFailed(Job job, Throwable error) {
        if (neverSent(error)) {
            job.statusChecks--;
        }
        return statusAnswered(job, StatusResult.error(StatusResult.Kind.RETRY, "CONNECTION_FAILED",
                "the status check failed: " + error, 0));
    }

    // ---------------------------------------------------------------- looking up a lost submit's task

    public synchronized Next lookupAnswered(Job job, LookupResult r) {
        ProviderRuntime rt = runtimes.get(job.provider);
        return repo.inAccount(rt.account(), false, tx -> {
            rt.rules.release(tx.account(), Call.STATUS, tx.now(), repo.node());
            Next next = job.lookup == null ? Next.WAIT : lookupAnswered(rt, tx, job, r);
            if (!tx.update(job)) {
                LOG.warn("job {} [{}]: the answer to its lookup ({}) came after another node changed the job; "
                        + "this node dropped the answer", job.requestId, settings.who(job.provider), r.kind());
                return Next.WAIT;
            }
            return next;
        });
    }

    public synchronized Next lookupFailed(Job job, Throwable error) {
        return lookupAnswered(job, LookupResult.error(LookupResult.Kind.RETRY, "CONNECTION_FAILED",
                "the lookup failed: " + error, 0, null));
    }

    /**
     * A page of the provider's list of recent tasks, searched for the lost submit's task. The job adopts a task
     * only when the pages read cover the submit's whole window and exactly one task in it matches; the next
     * page is read when the list goes on past this one and has not yet left the window.
     */
    private Next lookupAnswered(ProviderRuntime rt, JobRepository.AccountTx tx, Job job, LookupResult r) {
        Instant now = tx.now();
        Account a = tx.account();
        Job.Lookup l = job.lookup;
        SoraSettings.Lookup rules = settings.lookup();
        switch (r.kind()) {
            case PAGE -> {
                rt.rules.clearBackoff(a, Call.STATUS);
                rt.rules.resumeIfPaused(a, false);
                l.failures = 0;
                l.pages++;
                Instant from = submitLeft(job);
                ListedTask expected = rt.adapter.expectedTask(job);
                boolean pastWindow = false;
                for (ListedTask t : r.tasks()) {
                    l.seen++;
                    pastWindow |= LostTaskMatch.olderThanWindow(t, from);
                    if (LostTaskMatch.matches(expected, t, from, now) && !l.matches.contains(t.id())) {
                        l.matches.add(t.id());
                    }
                }
                boolean covered = pastWindow || !r.hasMore();
                if (!covered && l.matches.size() < 2 && r.lastId() != null && l.pages < rules.maxPages()) {
                    l.after = r.lastId();
                    job.nextCheckAt = now; // the status gate spaces the next page from this answer
                    return Next.WAIT;
                }
                if (covered && l.matches.size() == 1) {
                    return adopt(rt, job, l.matches.get(0), now);
                }
                String finding = "Its task was looked up in the provider's list of recent videos: " + l.seen
                        + " listed on " + l.pages + " page(s), " + (l.matches.isEmpty() ? "none matches"
                        : l.matches.size() + " match (" + Untrusted.esc(String.join(", ", l.matches))
                        + ") so none was adopted")
                        + " (same model, size, seconds and prompt, created from " + from + " to " + now + ")"
                        + (covered ? "" : "; the list was not read back to the submit's time ("
                        + rules.maxPages() + " pages, sora.submit.lookup.max-pages)")
                        + ". Check the provider's dashboard, then resubmit with a new request_id if needed";
                return outcomeStaysUnknown(rt, job, l.why, finding) ? deadLetter(job, now) : Next.WAIT;
            }
            case RETRY -> {
                Duration wait = rt.rules.backoff(a, Call.STATUS, now, r.providerWait());
                l.failures++;
                if (l.failures > rules.maxFailures()) {
                    String finding = "Its task could not be looked up: the provider's list failed " + l.failures
                            + " times (the last: " + r.code() + ": " + r.message() + "). Check the provider's "
                            + "dashboard, then resubmit with a new request_id if needed";
                    return outcomeStaysUnknown(rt, job, l.why, finding) ? deadLetter(job, now) : Next.WAIT;
                }
                LOG.warn("job {} [{}] lookup failed, {}: {}; looking again in {} ms", job.requestId, settings.who(job.provider),
                        r.code(), r.message(), wait.toMillis());
                return schedule(job, now.plus(AccountRules.max(wait, settings.scaled(rt.settings.pollInterval()))),
                        "lookup failed: " + r.code());
            }
            case PAUSE -> {
                rt.rules.pause(a, now, r.code(), r.message(), true, tx.queued(QUEUE_LOOKAHEAD).size());
                return schedule(job, now.plus(settings.scaled(rt.settings.pollInterval())), "paused: " + r.code());
            }
            default -> {
                String finding = "Its task could not be looked up: " + r.code() + ": " + r.message()
                        + ". Check the provider's dashboard, then resubmit with a new request_id if needed";
                return outcomeStaysUnknown(rt, job, l.why, finding) ? deadLetter(job, now) : Next.WAIT;
            }
        }
    }

    private Next deadLetter(Job job, Instant now) {
        claim(job, now, settings.stepLease());
        return Next.DEAD_LETTER;
    }

    /** The lost submit's task, found: the job goes on as if the submit had been answered. */
    private Next adopt(ProviderRuntime rt, Job job, String taskId, Instant now) {
        Job.Lookup l = job.lookup;
        spend.adopted(job, taskId);
        job.lookup = null;
        job.taskId = taskId;
        job.taskIds.add(taskId);
        job.tasksCreated++;
        job.submitRetries = 0;
        // the task was created before its answer was lost: counting from then keeps the first check late enough
        job.submittedAt = l.since;
        job.statusChecks = 0;
        Instant first = l.since.plus(settings.scaled(rt.adapter.firstCheckDelay(job)));
        job.nextCheckAt = first.isAfter(now) ? first : now;
        job.record("adopted", "task " + taskId + " after a lost answer");
        LOG.info("job {} [{}] adopted task {} after a lost answer ({} listed videos looked at); next status check at {}",
                job.requestId, settings.who(job.provider), Untrusted.esc(taskId), l.seen, job.nextCheckAt);
        return Next.WAIT;
    }

    /** The answer to a task's first check: what it teaches about the task's class (once per task). */
    private void firstAnswered(ProviderRuntime rt, Account a, Job job, boolean done, Instant now) {
        if (job.statusChecks == 1) {
            schedule.firstAnswered(a, job, done, now, settings.scaled(rt.adapter.firstCheckDelay(job)),
                    settings.scaled(rt.settings.pollInterval()));
        }
        job.firstCheckOffsetMs = null;
    }

    private Next schedule(Job job, Instant next, String what) {
        job.nextCheckAt = next;
        LOG.info("job {} [{}] task {}: {}", job.requestId, settings.who(job.provider), job.taskId, what);
        return Next.WAIT;
    }

    /**
     * Sends a job to the dead-letter channel from outside the provider steps (download, store, a crash of a step).
     *
     * @return false when the job was final already or another node has it now: nothing to dead-letter here
     */
    public synchronized boolean fail(Job job, String code, String message) {
        if (job.state.isFinal()) {
            return false;
        }
        ProviderRuntime rt = runtimes.get(job.provider);
        boolean taskMayRun = job.state == JobState.POLLING
                || (job.state == JobState.SUBMITTING && job.pendingCharge != null);
        if (taskMayRun && rt != null) {
            // a step failed while the provider runs, or may run, a task for it: its slot still counts
            Instant left = job.state == JobState.POLLING ? job.submittedAt : submitLeft(job);
            holdPhantomSlot(rt, job, left != null ? left : repo.now());
        }
        die(job, code, message, null, null, null);
        claim(job, repo.now(), settings.stepLease());
        return save(job, "dead-lettering it");
    }

    // ---------------------------------------------------------------- redrive

    /**
     * What a redrive call did. {@code outcome}: {@code redriven} (sent back), {@code unchanged} (redriven before and
     * still under way: nothing changed), {@code not_found}, {@code not_dead}, {@code refused}; {@code body} is the
     * answer (job_id, state, code and message where refused, resumes_at and may_cost where redriven).
     */
    public record RedriveAnswer(String outcome, Map<String, Object> body) {
    }

    /**
     * Sends a dead job back into the pipeline under the same request id, if its code allows it ({@link Redrive}).
     * It is one compare-and-set of the job record, so on several nodes exactly one call wins; the others, and any
     * later call while the job is under way, change nothing and say so.
     *
     * @param consent the caller accepts that a new submit may pay twice ({@code accept_possible_double_payment})
     * @param by      who asked (REST, a host's endpoint, a file in the dead-letter folder), kept on the record
     */
    public synchronized RedriveAnswer redrive(String id, boolean consent, String by) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("job_id", id);
        if (id == null || !dev.soracamel.intake.RequestIds.isSafe(id)) {
            out.put("code", "JOB_NOT_FOUND");
            out.put("message", "no job has this id (a request id is 1-128 of A-Z a-z 0-9 . - _ @ +)");
            return new RedriveAnswer("not_found", out);
        }
        // a lost compare-and-set means another node wrote the job between our read and our write: read it again
        for (int attempt = 1; attempt <= 5; attempt++) {
            Job job = repo.find(id).orElse(null);
            if (job == null) {
                out.put("code", "JOB_NOT_FOUND");
                out.put("message", "no job has the id " + id + " (a request that was rejected at intake never became "
                        + "a job: send it again, changed, with a new request_id)");
                return new RedriveAnswer("not_found", out);
            }
            out.put("state", job.state.name());
            if (job.state != JobState.DEAD) {
                if (job.redrive != null && !job.state.isFinal()) {
                    out.put("redrive_count", job.redrive.count);
                    out.put("resumes_at", job.redrive.resumesAt);
                    out.put("message", "job " + id + " was redriven at " + job.redrive.at + " by " + job.redrive.by
                            + " and is " + job.state + " now; nothing changed");
                    return new RedriveAnswer("unchanged", out);
                }
                out.put("code", "JOB_NOT_DEAD");
                out.put("message", "job " + id + " is " + job.state + ", not DEAD: only a dead-lettered job can be "
                        + "redriven" + (job.state == JobState.STORED ? " (its video is stored at " + job.storedLocation
                        + ")" : ""));
                return new RedriveAnswer("not_dead", out);
            }
            out.put("dead_letter_code", job.deadCode);
            if (!job.deadLetterWritten || job.notifyPending) {
                out.put("code", "DEAD_LETTER_IN_PROGRESS");
                out.put("message", "job " + id + " is being dead-lettered: its dead letter or its notification is "
                        + "not yet written; redrive it once they are (see GET /jobs/" + id + ")");
                return new RedriveAnswer("refused", out);
            }
            ProviderRuntime rt = runtimes.get(job.provider);
            if (rt == null) {
                out.put("code", "PROVIDER_NOT_CONFIGURED");
                out.put("message", "job " + id + " is for provider '" + job.provider + "', which this node does not "
                        + "have configured");
                return new RedriveAnswer("refused", out);
            }
            Redrive.Decision d = Redrive.decide(job, Redrive.videoKept(job), bans.isBanned(job.customerId), consent);
            if (!d.go()) {
                out.put("code", d.refusal());
                out.put("message", d.message());
                if ("DOUBLE_PAYMENT_NOT_ACCEPTED".equals(d.refusal())) {
                    out.put("may_cost", mayCost(job, Redrive.Step.SUBMIT, true));
                }
                return new RedriveAnswer("refused", out);
            }
            Instant now = repo.now();
            if (d.resumesAt() == Redrive.Step.SUBMIT) {
                spend.price(job); // the price table may have changed since (PRICE_NOT_FOUND is redriven after that)
            }
            String from = job.deadCode;
            Redrive.apply(job, d, now, by);
            if (d.resumesAt() == Redrive.Step.STORE) {
                // this node found the kept video, so this node stores it (the redrive route hands it to the store
                // route); another node's recover step takes it over only if this one stops before that
                claim(job, now, settings.stepLease());
            }
            if (!repo.update(job)) {
                continue;
            }
            LOG.warn("job {} [{}] REDRIVEN from {} by {} (redrive {}): resumes at {}{}", id, settings.who(job.provider), from,
                    Untrusted.esc(by), job.redrive.count, d.resumesAt().word(),
                    d.mayPayTwice() ? "; a possible double payment was accepted" : "");
            out.put("state", job.state.name());
            out.put("redrive_count", job.redrive.count);
            out.put("redriven_at", now);
            out.put("resumes_at", d.resumesAt().word());
            out.put("may_cost", mayCost(job, d.resumesAt(), d.mayPayTwice()));
            out.put("dead_letter", job.redrive.deadLetter);
            out.put("message", "job " + id + " was sent back from " + from + ": " + (d.resumesAt() == Redrive.Step.STORE
                    ? "its kept video is stored again; nothing is submitted or paid again"
                    : "queued for a new submit under the same request id"));
            return new RedriveAnswer("redriven", out);
        }
        throw new IllegalStateException("job " + id + " kept changing under its redrive; try again");
    }

    /** What a redrive may cost, from the price table's estimate of one task of the job. */
    private Map<String, Object> mayCost(Job job, Redrive.Step step, boolean mayPayTwice) {
        Map<String, Object> c = new LinkedHashMap<>();
        if (step == Redrive.Step.STORE) {
            c.put("amount", java.math.BigDecimal.ZERO);
            c.put("currency", job.currency);
            c.put("note", "nothing: the video was paid for and is stored from where it is kept");
            return c;
        }
        var quote = spend.quote(job.provider, job.request);
        java.math.BigDecimal price = quote != null ? quote.amount() : job.taskPrice;
        c.put("amount", price);
        String currency = spend.currency();
        c.put("currency", currency == null || currency.isEmpty() ? job.currency : currency);
        c.put("estimated_so_far", job.estimatedCost);
        c.put("note", (price == null ? "no price in the price table for this request; "
                : "one more task at the price table's estimate; ")
                + (mayPayTwice ? "the provider may already hold a paid task for this job (its charges so far are "
                + "counted in estimated_so_far), so this may pay twice" : "a new submit is a new charge"));
        return c;
    }

    // ---------------------------------------------------------------- dead letters

    /** Marks the job dead; the dead-letter route writes it out and then confirms with {@link Delivery#deadLettered}. */
    void die(Job job, String code, String message, Integer httpStatus, String commentRu, String commentEn) {
        if (job.pendingCharge != null) {
            spend.maybeCreated(job); // a step failed after its POST may have left: counted as spent
        }
        job.state = JobState.DEAD;
        job.nextCheckAt = null;
        job.deadAt = repo.now();
        job.deadCode = code;
        boolean paid = !job.charges.isEmpty();
        job.deadLetter = new DeadLetter(job.requestId, code, message, httpStatus, commentRu, commentEn,
                job.provider, job.customerId, job.taskId, attempts(job), job.source, job.deadAt,
                paid ? job.estimatedCost : null, paid ? job.currency : null);
        job.record("dead-lettered", code);
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

    /** A request turned away at intake: it never became a job, but a person should see it was here. */
    public record Rejected(String requestId, String source, String code, String message) {
    }

    public void rejectedAtIntake(Rejected r) {
        queries.rejected(r);
    }

    /** The call never reached the provider (refused connection, unknown host, a lapsed claim): nothing can have been created. */
    public static boolean neverSent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpHostConnectException
                    || t instanceof UnknownHostException || t instanceof ClaimGuard.ClaimLapsedException) {
                return true;
            }
        }
        return false;
    }
}
