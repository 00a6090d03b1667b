package dev.soracamel.sandbox;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The simulated provider account: token, tariff, credit, tasks and counters. Everything that decides
 * whether a task may be created happens under one lock, so concurrent submits cannot slip past the
 * tariff's limit together.
 */
final class SandboxState {

    private static final long FIRST_ID = 100_001;

    final SandboxConfig config;
    final ProviderClock clock;
    final SandboxStats stats;
    final byte[] sample;
    final RateWindow postWindow;
    final RateWindow statusWindow;
    final InjectedFailures postFailures = new InjectedFailures();
    final InjectedFailures statusFailures = new InjectedFailures();
    private final AtomicInteger droppedPostResponses = new AtomicInteger();
    private volatile String token;

    private final Object lock = new Object();
    private final Map<Long, SandboxTask> tasks = new LinkedHashMap<>();
    private final Set<String> timeoutOncePrompts = new HashSet<>();
    private final Random jitter;
    private long nextId = FIRST_ID;
    private int activeTaskLimit;
    private long rpoints;

    SandboxState(SandboxConfig config, byte[] sample) {
        this.config = config;
        this.clock = new ProviderClock(config.getTimeScale());
        this.sample = sample;
        this.postWindow = new RateWindow(clock);
        this.statusWindow = new RateWindow(clock);
        this.token = config.getToken();
        this.activeTaskLimit = config.getActiveTaskLimit();
        this.rpoints = config.getRpoints();
        this.jitter = new Random(config.getRandomSeed());
        this.stats = new SandboxStats(this::records);
    }

    /** The scheme is case-insensitive (RFC 9110); the token must match exactly. */
    boolean authorized(String header) {
        if (header == null) {
            return false;
        }
        String h = header.trim();
        return h.length() > 7 && h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")
                && h.substring(7).trim().equals(token);
    }

    void setToken(String token) {
        this.token = token;
    }

    void setActiveTaskLimit(int limit) {
        synchronized (lock) {
            this.activeTaskLimit = limit;
        }
    }

    void setRpoints(long rpoints) {
        synchronized (lock) {
            this.rpoints = rpoints;
        }
    }

    long rpoints() {
        synchronized (lock) {
            return rpoints;
        }
    }

    void dropNextPostResponses(int count) {
        droppedPostResponses.set(count);
    }

    /** True when this created task's response is to be swallowed; counts the arming down. */
    boolean takeDropPostResponse() {
        return droppedPostResponses.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
    }

    /** Steps 12 to 14: credit, tariff limit, then the new task. */
    SandboxTask create(SubmitRequest request, String customerId) throws ApiException {
        synchronized (lock) {
            if (rpoints == 0) {
                throw new ApiException(ApiError.NOT_ENOUGH_RPOINTS);
            }
            long now = clock.nowNanos();
            int active = activeAt(now);
            if (active >= activeTaskLimit) {
                stats.taskLimitBreach();
                throw new ApiException(ApiError.TASK_LIMIT_EXCEEDED);
            }
            SandboxTask task = newTask(request, customerId, now);
            tasks.put(task.id, task);
            if (rpoints > 0) {
                rpoints--;
            }
            stats.taskCreated(request.prompt(), active + 1);
            return task;
        }
    }

    SandboxTask find(long id) {
        synchronized (lock) {
            return tasks.get(id);
        }
    }

    private SandboxTask newTask(SubmitRequest request, String customerId, long now) {
        String prompt = request.prompt();
        boolean pro = SubmitValidator.VERSION_PRO.equals(request.version());
        double firstCheck = SubmitValidator.firstCheckSeconds(request.version());
        double base = pro ? config.getGenerationSecondsPro() : config.getGenerationSeconds2();
        double spread = config.getJitterFraction() * (2 * jitter.nextDouble() - 1);
        // Jitter never makes a task faster than the first-check minimum: the seed says it physically is not.
        double generation = Math.max(firstCheck, base * (1 + spread));
        double queue = Math.min(config.getQueueSeconds(), generation);
        return new SandboxTask(nextId++, request, customerId, now, System.currentTimeMillis(),
                clock.realNanos(queue), clock.realNanos(generation), finalStatus(prompt),
                clock.realNanos(firstCheck), clock.realNanos(SandboxTask.RECHECK_INTERVAL_SECONDS),
                UUID.randomUUID().toString().replace("-", ""),
                PromptMarkers.videoBytes(prompt, config.getVideoBytes()), PromptMarkers.truncateOnce(prompt));
    }

    private TaskStatus finalStatus(String prompt) {
        switch (PromptMarkers.outcome(prompt)) {
            case STUCK: return null;
            case REJECT: return TaskStatus.REJECTED;
            case TIMEOUT: return TaskStatus.TIMED_OUT;
            case TIMEOUT_ONCE: return timeoutOncePrompts.add(prompt) ? TaskStatus.TIMED_OUT : TaskStatus.COMPLETED;
            default: return TaskStatus.COMPLETED;
        }
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

    private List<TaskRecord> records() {
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
}
