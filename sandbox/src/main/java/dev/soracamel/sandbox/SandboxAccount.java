package dev.soracamel.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;

/**
 * One simulated provider account: token, task limit, credit, rate windows, tasks and counters. The limits
 * belong to the account, not to the server, so two clients with two tokens are limited apart, as they are
 * at a real provider. Everything that decides whether a task may be created happens under one lock, so
 * concurrent submits cannot slip past the limit together.
 */
final class SandboxAccount {

    /** Why the account refused a new task; the API answering it words it its own way. */
    static final class Refused extends Exception {
        final boolean noCredit;

        Refused(boolean noCredit) {
            super(noCredit ? "no credit" : "task limit", null, false, false);
            this.noCredit = noCredit;
        }
    }

    final SandboxStats stats;
    final Dialect dialect;
    final RateWindow postWindow;
    final RateWindow statusWindow;
    final InjectedFailures postFailures = new InjectedFailures();
    final InjectedFailures statusFailures = new InjectedFailures();
    private final ProviderClock clock;
    private final AtomicInteger droppedPostResponses = new AtomicInteger();
    private volatile String token;

    private final Object lock = new Object();
    /** By the id the API answered. */
    private final Map<String, SandboxTask> tasks = new LinkedHashMap<>();
    private int activeTaskLimit;
    private long credit;

    SandboxAccount(String token, int activeTaskLimit, long credit, Dialect dialect, ProviderClock clock,
                   SandboxStats total) {
        this.token = token;
        this.activeTaskLimit = activeTaskLimit;
        this.credit = credit;
        this.dialect = dialect;
        this.clock = clock;
        this.postWindow = new RateWindow(clock);
        this.statusWindow = new RateWindow(clock);
        this.stats = SandboxStats.account(this::records, total);
    }

    String token() {
        return token;
    }

    void setToken(String token) {
        this.token = token;
    }

    void setActiveTaskLimit(int limit) {
        synchronized (lock) {
            this.activeTaskLimit = limit;
        }
    }

    int activeTaskLimit() {
        synchronized (lock) {
            return activeTaskLimit;
        }
    }

    void setCredit(long credit) {
        synchronized (lock) {
            this.credit = credit;
        }
    }

    /** -1 means unlimited. */
    long credit() {
        synchronized (lock) {
            return credit;
        }
    }

    void dropNextPostResponses(int count) {
        droppedPostResponses.set(count);
    }

    /** True when this created task's response is to be swallowed; counts the arming down. */
    boolean takeDropPostResponse() {
        return droppedPostResponses.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /**
     * Credit, then the active-task limit, then the new task, which {@code newTask} makes from the current
     * real time. Going over the limit is a breach of the rules and counted; running out of credit breaks none.
     */
    SandboxTask create(LongFunction<SandboxTask> newTask) throws Refused {
        synchronized (lock) {
            if (credit == 0) {
                throw new Refused(true);
            }
            long now = clock.nowNanos();
            int active = activeAt(now);
            if (active >= activeTaskLimit) {
                stats.taskLimitBreach();
                throw new Refused(false);
            }
            SandboxTask task = newTask.apply(now);
            tasks.put(task.apiId, task);
            if (credit > 0) {
                credit--;
            }
            stats.taskCreated(task.prompt(), active + 1);
            return task;
        }
    }

    /** A create remembered under its Idempotency-Key: the body's digest, and its video once created. */
    static final class Remembered {
        final String bodyDigest;
        volatile SandboxTask task;

        Remembered(String bodyDigest) {
            this.bodyDigest = bodyDigest;
        }
    }

    private final Map<String, Remembered> idempotencyKeys = new java.util.HashMap<>();

    /**
     * The create remembered under {@code key}; or, when there is none, null after remembering this one as in
     * flight, so that a second create with the key waits for nothing and is told it conflicts.
     */
    Remembered remember(String key, String bodyDigest) {
        synchronized (lock) {
            Remembered r = idempotencyKeys.get(key);
            if (r == null) {
                idempotencyKeys.put(key, new Remembered(bodyDigest));
            }
            return r;
        }
    }

    /** The create under {@code key} made {@code task}; null: it made none, and the key is free again. */
    void remembered(String key, SandboxTask task) {
        synchronized (lock) {
            if (task == null) {
                idempotencyKeys.remove(key);
            } else {
                idempotencyKeys.get(key).task = task;
            }
        }
    }

    /** This account's /v1/videos tasks, oldest first. */
    List<SandboxTask> videos() {
        synchronized (lock) {
            List<SandboxTask> out = new ArrayList<>();
            for (SandboxTask t : tasks.values()) {
                if (t.video != null) {
                    out.add(t);
                }
            }
            out.sort(java.util.Comparator.comparingLong((SandboxTask t) -> t.createdNanos).thenComparingLong(t -> t.id));
            return out;
        }
    }

    /** Null when this account has no task of that id, whoever else may have one. */
    SandboxTask find(String apiId) {
        synchronized (lock) {
            return tasks.get(apiId);
        }
    }

    List<TaskRecord> records() {
        List<SandboxTask> all;
        synchronized (lock) {
            all = new ArrayList<>(tasks.values());
        }
        long now = clock.nowNanos();
        List<TaskRecord> out = new ArrayList<>(all.size());
        for (SandboxTask t : all) {
            out.add(t.toRecord(now));
        }
        return out;
    }

    private int activeAt(long now) {
        int n = 0;
        for (SandboxTask t : tasks.values()) {
            if (t.statusAt(now).active()) {
                n++;
            }
        }
        return n;
    }
}
