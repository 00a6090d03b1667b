package dev.soracamel.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Live counters of one account, or of the whole sandbox: what clients did and every rule they broke.
 * Thread-safe; each getter reads the current value, {@link #tasks()} and {@link #tasksCreatedByPrompt()}
 * return snapshots.
 *
 * <p>An account's counters pass every event on to the sandbox's total, so the total is exact at any moment
 * without summing, and requests that belong to no account (a wrong token) count in the total only.
 */
public final class SandboxStats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong posts = new AtomicLong();
    private final AtomicLong tasksCreated = new AtomicLong();
    private final AtomicLong statusChecks = new AtomicLong();
    private final AtomicLong downloads = new AtomicLong();
    private final AtomicLong videoLists = new AtomicLong();
    private final AtomicLong idempotentReplays = new AtomicLong();
    private final AtomicLong postRateBreaches = new AtomicLong();
    private final AtomicLong statusRateBreaches = new AtomicLong();
    private final AtomicLong taskLimitBreaches = new AtomicLong();
    private final AtomicLong earlyChecks = new AtomicLong();
    private final AtomicLong checksOverLimit = new AtomicLong();
    private final AtomicLong expiredDownloads = new AtomicLong();
    private final AtomicLong shortRecheckIntervals = new AtomicLong();
    private final AtomicInteger maxActiveObserved = new AtomicInteger();
    private final Map<String, Integer> createdByPrompt = new ConcurrentHashMap<>();
    private final Supplier<List<TaskRecord>> tasks;
    /** The sandbox's total, for an account's counters; null for the total itself. */
    private final SandboxStats total;
    /** Per-account counters by token, for the total's JSON; null for an account. */
    private final Supplier<Map<String, SandboxStats>> accounts;

    private SandboxStats(Supplier<List<TaskRecord>> tasks, SandboxStats total,
                         Supplier<Map<String, SandboxStats>> accounts) {
        this.tasks = tasks;
        this.total = total;
        this.accounts = accounts;
    }

    /** The sum over all accounts, plus the requests no account could be found for. */
    static SandboxStats total(Supplier<List<TaskRecord>> tasks, Supplier<Map<String, SandboxStats>> accounts) {
        return new SandboxStats(tasks, null, accounts);
    }

    /** One account's counters; each event is also counted in {@code total}. */
    static SandboxStats account(Supplier<List<TaskRecord>> tasks, SandboxStats total) {
        return new SandboxStats(tasks, total, null);
    }

    /** Requests to a submit endpoint (Yes Ai's or POST /v1/videos), whatever their answer (401 and 429 included). */
    public long posts() { return posts.get(); }

    /** Tasks created, including those whose response was dropped on purpose. */
    public long tasksCreated() { return tasksCreated.get(); }

    /** Requests to a status endpoint (Yes Ai's or GET /v1/videos/{id}), whatever their answer. */
    public long statusChecks() { return statusChecks.get(); }

    /**
     * Requests to {@code GET /v1/videos} (the list), whatever their answer. They share the status GETs' rate
     * window (one a provider second), so a too-early one counts in {@link #statusRateBreaches()}.
     */
    public long videoLists() { return videoLists.get(); }

    /** Creates answered from an earlier create with the same Idempotency-Key and body: nothing new created. */
    public long idempotentReplays() { return idempotentReplays.get(); }

    /** Videos served with 200, by result link or /v1/videos/{id}/content (a truncated one included). */
    public long downloads() { return downloads.get(); }

    /** POSTs less than one provider second after the account's previous POST (answered 429). */
    public long postRateBreaches() { return postRateBreaches.get(); }

    /** Status GETs less than one provider second after the account's previous status GET (answered 429). */
    public long statusRateBreaches() { return statusRateBreaches.get(); }

    /** POSTs refused because the account's active tasks were at its limit. */
    public long taskLimitBreaches() { return taskLimitBreaches.get(); }

    /**
     * Status checks of a task before its first-check minimum (Yes Ai: 60 s for "2", 300 s for "2.pro";
     * /v1/videos: 30 s for sora-2 and its aliases, 60 s for sora-2-pro).
     */
    public long earlyChecks() { return earlyChecks.get(); }

    /** Status checks of a task beyond its 60th. */
    public long checksOverLimit() { return checksOverLimit.get(); }

    /** Videos asked for after their lifetime, by result link or /content (answered 404). */
    public long expiredDownloads() { return expiredDownloads.get(); }

    /**
     * Checks of a task sooner after its previous check than its API advises (Yes Ai: 20 provider seconds;
     * /v1/videos: the poll-after interval). That is advice rather than a limit, so this is not part of
     * {@link #breaches()}.
     */
    public long shortRecheckIntervals() { return shortRecheckIntervals.get(); }

    /** Sum of the rule breaches: post rate, status rate, task limit, early checks, checks over limit. */
    public long breaches() {
        return postRateBreaches() + statusRateBreaches() + taskLimitBreaches() + earlyChecks() + checksOverLimit();
    }

    /** Peak number of tasks in status 0 or 1 at the same time; for the total, the highest account's peak. */
    public int maxActiveObserved() { return maxActiveObserved.get(); }

    /** Tasks created per exact prompt text; more than one for a unique prompt means a double submit. */
    public Map<String, Integer> tasksCreatedByPrompt() { return new TreeMap<>(createdByPrompt); }

    /** Snapshot of every task, oldest first. */
    public List<TaskRecord> tasks() { return tasks.get(); }

    public String toJson() {
        Map<String, Object> m = counters();
        m.put("tasksCreatedByPrompt", tasksCreatedByPrompt());
        m.put("tasks", tasks());
        if (accounts != null) {
            Map<String, Object> byToken = new LinkedHashMap<>();
            accounts.get().forEach((token, stats) -> byToken.put(token, stats.counters()));
            m.put("accounts", byToken);
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Object> counters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("posts", posts());
        m.put("tasksCreated", tasksCreated());
        m.put("statusChecks", statusChecks());
        m.put("downloads", downloads());
        m.put("videoLists", videoLists());
        m.put("idempotentReplays", idempotentReplays());
        m.put("postRateBreaches", postRateBreaches());
        m.put("statusRateBreaches", statusRateBreaches());
        m.put("taskLimitBreaches", taskLimitBreaches());
        m.put("earlyChecks", earlyChecks());
        m.put("checksOverLimit", checksOverLimit());
        m.put("expiredDownloads", expiredDownloads());
        m.put("shortRecheckIntervals", shortRecheckIntervals());
        m.put("breaches", breaches());
        m.put("maxActiveObserved", maxActiveObserved());
        return m;
    }

    @Override
    public String toString() {
        return toJson();
    }

    void post() { bump(s -> s.posts); }
    void statusCheck() { bump(s -> s.statusChecks); }
    void download() { bump(s -> s.downloads); }
    void videoList() { bump(s -> s.videoLists); }
    void idempotentReplay() { bump(s -> s.idempotentReplays); }
    void postRateBreach() { bump(s -> s.postRateBreaches); }
    void statusRateBreach() { bump(s -> s.statusRateBreaches); }
    void taskLimitBreach() { bump(s -> s.taskLimitBreaches); }
    void earlyCheck() { bump(s -> s.earlyChecks); }
    void checkOverLimit() { bump(s -> s.checksOverLimit); }
    void expiredDownload() { bump(s -> s.expiredDownloads); }
    void shortRecheckInterval() { bump(s -> s.shortRecheckIntervals); }

    /** Counts here and, for an account, in the total. */
    private void bump(Function<SandboxStats, AtomicLong> counter) {
        counter.apply(this).incrementAndGet();
        if (total != null) {
            total.bump(counter);
        }
    }

    /**
     * Active tasks only ever rise at a creation, so sampling there catches every peak. The total takes the
     * account's count too, so its peak is the highest of the accounts' peaks.
     */
    void taskCreated(String prompt, int activeNow) {
        tasksCreated.incrementAndGet();
        createdByPrompt.merge(prompt, 1, Integer::sum);
        maxActiveObserved.accumulateAndGet(activeNow, Math::max);
        if (total != null) {
            total.taskCreated(prompt, activeNow);
        }
    }
}
