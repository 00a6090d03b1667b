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
import java.util.function.Supplier;

/**
 * Live counters of one sandbox: what clients did and every rule they broke. Thread-safe; each getter reads
 * the current value, {@link #tasks()} and {@link #tasksCreatedByPrompt()} return snapshots.
 */
public final class SandboxStats {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AtomicLong posts = new AtomicLong();
    private final AtomicLong tasksCreated = new AtomicLong();
    private final AtomicLong statusChecks = new AtomicLong();
    private final AtomicLong downloads = new AtomicLong();
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

    SandboxStats(Supplier<List<TaskRecord>> tasks) {
        this.tasks = tasks;
    }

    /** Requests to the submit endpoint, whatever their answer (401 and 429 included). */
    public long posts() { return posts.get(); }

    /** Tasks created, including those whose response was dropped on purpose. */
    public long tasksCreated() { return tasksCreated.get(); }

    /** Requests to the status endpoint, whatever their answer. */
    public long statusChecks() { return statusChecks.get(); }

    /** Result downloads answered 200 (a truncated one included). */
    public long downloads() { return downloads.get(); }

    /** POSTs less than one provider second after the previous POST (answered 429). */
    public long postRateBreaches() { return postRateBreaches.get(); }

    /** Status GETs less than one provider second after the previous status GET (answered 429). */
    public long statusRateBreaches() { return statusRateBreaches.get(); }

    /** POSTs refused with TASK_LIMIT_EXCEEDED. */
    public long taskLimitBreaches() { return taskLimitBreaches.get(); }

    /** Status checks of a task before its first-check minimum (60 s for "2", 300 s for "2.pro"). */
    public long earlyChecks() { return earlyChecks.get(); }

    /** Status checks of a task beyond its 60th. */
    public long checksOverLimit() { return checksOverLimit.get(); }

    /** Result links fetched after their lifetime (answered 404). */
    public long expiredDownloads() { return expiredDownloads.get(); }

    /**
     * Checks of a task less than 20 provider seconds after its previous check. The seed asks for that
     * interval but it is advice rather than a limit, so this is not part of {@link #breaches()}.
     */
    public long shortRecheckIntervals() { return shortRecheckIntervals.get(); }

    /** Sum of the rule breaches: post rate, status rate, task limit, early checks, checks over limit. */
    public long breaches() {
        return postRateBreaches() + statusRateBreaches() + taskLimitBreaches() + earlyChecks() + checksOverLimit();
    }

    /** Peak number of tasks in status 0 or 1 at the same time. */
    public int maxActiveObserved() { return maxActiveObserved.get(); }

    /** Tasks created per exact prompt text; more than one for a unique prompt means a double submit. */
    public Map<String, Integer> tasksCreatedByPrompt() { return new TreeMap<>(createdByPrompt); }

    /** Snapshot of every task, oldest first. */
    public List<TaskRecord> tasks() { return tasks.get(); }

    public String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("posts", posts());
        m.put("tasksCreated", tasksCreated());
        m.put("statusChecks", statusChecks());
        m.put("downloads", downloads());
        m.put("postRateBreaches", postRateBreaches());
        m.put("statusRateBreaches", statusRateBreaches());
        m.put("taskLimitBreaches", taskLimitBreaches());
        m.put("earlyChecks", earlyChecks());
        m.put("checksOverLimit", checksOverLimit());
        m.put("expiredDownloads", expiredDownloads());
        m.put("shortRecheckIntervals", shortRecheckIntervals());
        m.put("breaches", breaches());
        m.put("maxActiveObserved", maxActiveObserved());
        m.put("tasksCreatedByPrompt", tasksCreatedByPrompt());
        m.put("tasks", tasks());
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return toJson();
    }

    void post() { posts.incrementAndGet(); }
    void statusCheck() { statusChecks.incrementAndGet(); }
    void download() { downloads.incrementAndGet(); }
    void postRateBreach() { postRateBreaches.incrementAndGet(); }
    void statusRateBreach() { statusRateBreaches.incrementAndGet(); }
    void taskLimitBreach() { taskLimitBreaches.incrementAndGet(); }
    void earlyCheck() { earlyChecks.incrementAndGet(); }
    void checkOverLimit() { checksOverLimit.incrementAndGet(); }
    void expiredDownload() { expiredDownloads.incrementAndGet(); }
    void shortRecheckInterval() { shortRecheckIntervals.incrementAndGet(); }

    /** Active tasks only ever rise at a creation, so sampling there catches every peak. */
    void taskCreated(String prompt, int activeNow) {
        tasksCreated.incrementAndGet();
        createdByPrompt.merge(prompt, 1, Integer::sum);
        maxActiveObserved.accumulateAndGet(activeNow, Math::max);
    }
}
