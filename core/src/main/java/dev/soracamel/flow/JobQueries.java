package dev.soracamel.flow;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.soracamel.job.Account;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.job.JobState;
import dev.soracamel.spend.Spend;

/**
 * Reads for people and probes: the progress line, REST {@code /jobs}, readiness and metrics. The figures of an
 * account (queue, slots, pause) are the repository's, so every node of a cluster shows the same; what was turned
 * away at intake is this node's own.
 */
public class JobQueries {

    private final JobRepository repo;
    private final Map<String, ProviderRuntime> runtimes;
    private final Spend spend;
    private final JobBoard board;

    private final List<JobBoard.Rejected> rejected = new ArrayList<>();
    private long rejectedCount;

    JobQueries(JobRepository repo, Map<String, ProviderRuntime> runtimes, Spend spend, JobBoard board) {
        this.repo = repo;
        this.runtimes = runtimes;
        this.spend = spend;
        this.board = board;
    }

    public Optional<Job> find(String requestId) {
        return repo.find(requestId);
    }

    /** Up to {@code limit} jobs in the given states, the most recently accepted first. */
    public List<Job> list(Set<JobState> states, int limit) {
        return repo.list(states, limit);
    }

    /** One page of jobs in the given states, newest first, accepted before {@code beforeSeq} (null: the newest). */
    public List<Job> page(Set<JobState> states, Long beforeSeq, int limit) {
        return repo.page(states, beforeSeq, limit);
    }

    /** Today's committed spend against each budget, the customers with the most first (at most {@code maxCustomers}). */
    public Map<String, Object> spendToday(int maxCustomers) {
        Instant now = repo.now();
        synchronized (board) {
            return spend.today(now, maxCustomers);
        }
    }

    /** Every job on record, the most recently accepted first (small stores: tests and the quick start's summary). */
    public List<Job> all() {
        return repo.list(java.util.EnumSet.allOf(JobState.class), Integer.MAX_VALUE);
    }

    /** Every job on record by state (all providers). */
    public Map<JobState, Integer> countByState() {
        Map<JobState, Integer> c = new EnumMap<>(JobState.class);
        for (JobState s : JobState.values()) {
            c.put(s, 0);
        }
        repo.countByProviderAndState().values().forEach(m -> m.forEach((s, n) -> c.merge(s, n, Integer::sum)));
        return c;
    }

    synchronized void rejected(JobBoard.Rejected r) {
        rejected.add(r);
        if (rejected.size() > 1000) {
            rejected.remove(0);
        }
        rejectedCount++;
    }

    /** Requests this node turned away at intake (the last thousand). */
    public synchronized List<JobBoard.Rejected> rejected() {
        return List.copyOf(rejected);
    }

    public synchronized long rejectedCount() {
        return rejectedCount;
    }

    /** Counts for the progress line and for tests: queued, active, downloading, stored, dead, paused. */
    public Map<String, Object> counts() {
        return counts(null);
    }

    /**
     * The progress line's counts and each provider's figures read together, so that the operator page's
     * accounts add up to the line above them: the line's active tasks are the sum of the accounts' slots.
     */
    public record Snapshot(Map<String, Object> counts, List<ProviderView> providers) {
    }

    public Snapshot snapshot() {
        List<ProviderView> views = providerViews();
        return new Snapshot(counts(views), views);
    }

    private Map<String, Object> counts(List<ProviderView> views) {
        Map<String, Object> c = new LinkedHashMap<>();
        Map<JobState, Integer> byState = countByState();
        c.put("queued", byState.get(JobState.QUEUED));
        int active = 0;
        List<String> paused = new ArrayList<>();
        Instant now = repo.now();
        List<Job> queued = new ArrayList<>();
        int i = 0;
        for (ProviderRuntime rt : runtimes.values()) {
            active += views != null ? views.get(i++).active() : repo.slotsInUse(rt.account());
            Account a = repo.account(rt.account()).orElse(null);
            if (a != null && a.paused(now)) {
                paused.add(rt.settings.name() + ":" + a.pauseCode);
            }
            if (spend.settings().hasBudget()) {
                queued.addAll(repo.queued(rt.account(), 1000));
            }
        }
        c.put("active", active);
        c.put("downloading", byState.get(JobState.DOWNLOADING));
        c.put("storing", byState.get(JobState.STORING));
        c.put("stored", byState.get(JobState.STORED));
        c.put("dead", byState.get(JobState.DEAD));
        c.put("rejected", rejectedCount());
        c.put("paused", paused.isEmpty() ? "no" : String.join(",", paused));
        // seconds a finished task kept its slot before a check saw it, mean of this node's last ones (estimated)
        Double idle = board.slotIdle.meanSeconds(board.settings().timeScale());
        if (idle != null) {
            c.put("slot_idle_s", String.format(java.util.Locale.ROOT, "%.1f", idle));
        }
        synchronized (board) {
            c.putAll(spend.progress(queued, now));
        }
        return c;
    }

    /** observe: each provider's queue, slots and pause, for health checks and metrics. */
    public List<ProviderView> providerViews() {
        List<ProviderView> views = new ArrayList<>();
        for (ProviderRuntime rt : runtimes.values()) {
            Map<JobState, Integer> byState = repo.countByState(rt.account());
            Account a = repo.account(rt.account()).orElse(new Account(rt.account()));
            // paused until a call proves the problem over, also while the re-check clock lets the probe through
            boolean paused = a.pauseCode != null;
            views.add(new ProviderView(rt.settings.name(), byState.getOrDefault(JobState.QUEUED, 0),
                    byState.getOrDefault(JobState.POLLING, 0), repo.slotsInUse(rt.account()),
                    rt.settings.activeTasks(), paused ? a.pauseCode : null, paused ? a.pauseMessage : null,
                    paused ? a.pausedSince : null));
        }
        return views;
    }

    /**
     * observe: what the account behind a provider learned about when to check each class of task first (the
     * repository's copy, so every node shows the same), keyed by class.
     */
    public Map<String, dev.soracamel.job.LearnedCheck> learned(String provider) {
        ProviderRuntime rt = runtimes.get(provider);
        if (rt == null) {
            return Map.of();
        }
        return repo.account(rt.account()).map(a -> a.learned).orElse(Map.of());
    }

    /** The class a job's generation time is learned for (model, size or resolution, seconds). */
    public static String taskClass(Job job) {
        return StatusSchedule.classOf(job);
    }

    /** observe: jobs on record by provider and state (final ones until retention forgets them). */
    public Map<String, Map<JobState, Integer>> jobCounts() {
        return repo.countByProviderAndState();
    }

    /** True when no job is waiting or under way. */
    public boolean idle() {
        return repo.idle();
    }

    /** Jobs queued for the account behind a provider (tests and views). */
    public Collection<Job> queued(String provider, int limit) {
        ProviderRuntime rt = runtimes.get(provider);
        return rt == null ? List.of() : repo.queued(rt.account(), limit);
    }
}
