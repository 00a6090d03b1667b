package dev.soracamel.flow;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.soracamel.job.Job;
import dev.soracamel.provider.LookupResult;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;

/**
 * This node's provider calls over the last minute, by provider: what an operator compares with the provider's
 * rate limits. Kept apart from the metrics (which may be off) and counted in one-second buckets, so a read costs
 * sixty additions whatever the traffic. Another node's calls are its own: each node's page shows its own.
 */
final class CallRate implements FlowEvents {

    private static final int SECONDS = 60;

    private final LongSupplier clockMillis;
    private final Map<String, Window> api = new ConcurrentHashMap<>();
    private final Map<String, Window> downloads = new ConcurrentHashMap<>();
    /** Who else hears about the calls (the metrics), NONE unless set. */
    private volatile FlowEvents next = FlowEvents.NONE;

    CallRate(LongSupplier clockMillis) {
        this.clockMillis = clockMillis;
    }

    void next(FlowEvents observer) {
        next = observer;
    }

    FlowEvents next() {
        return next;
    }

    /** API calls (submits, status checks, list lookups) of the provider in the last 60 s. */
    int apiCalls(String provider) {
        Window w = api.get(provider);
        return w == null ? 0 : w.sum(clockMillis.getAsLong() / 1000);
    }

    /** Video downloads from the provider's links in the last 60 s. */
    int downloads(String provider) {
        Window w = downloads.get(provider);
        return w == null ? 0 : w.sum(clockMillis.getAsLong() / 1000);
    }

    private void count(Map<String, Window> windows, Job job) {
        if (job != null && job.provider != null) {
            windows.computeIfAbsent(job.provider, p -> new Window()).add(clockMillis.getAsLong() / 1000);
        }
    }

    /** Sixty one-second buckets, each stamped with its second so a stale bucket reads as empty. */
    private static final class Window {
        private final long[] second = new long[SECONDS];
        private final int[] calls = new int[SECONDS];

        synchronized void add(long now) {
            int i = (int) Math.floorMod(now, SECONDS);
            if (second[i] != now) {
                second[i] = now;
                calls[i] = 0;
            }
            calls[i]++;
        }

        synchronized int sum(long now) {
            int n = 0;
            for (int i = 0; i < SECONDS; i++) {
                if (now - second[i] < SECONDS) {
                    n += calls[i];
                }
            }
            return n;
        }
    }

    @Override
    public void submitAnswered(Job job, SubmitResult result, int httpStatus) {
        count(api, job);
        next.submitAnswered(job, result, httpStatus);
    }

    @Override
    public void submitNoAnswer(Job job, Throwable error) {
        count(api, job);
        next.submitNoAnswer(job, error);
    }

    @Override
    public void statusAnswered(Job job, StatusResult result, int httpStatus) {
        count(api, job);
        next.statusAnswered(job, result, httpStatus);
    }

    @Override
    public void statusNoAnswer(Job job, Throwable error) {
        count(api, job);
        next.statusNoAnswer(job, error);
    }

    @Override
    public void lookupAnswered(Job job, LookupResult result, int httpStatus) {
        count(api, job);
        next.lookupAnswered(job, result, httpStatus);
    }

    @Override
    public void deadLettered(Job job) {
        next.deadLettered(job);
    }

    @Override
    public void downloadAttempt(Job job, String outcome, int httpStatus, Throwable error) {
        count(downloads, job);
        next.downloadAttempt(job, outcome, httpStatus, error);
    }

    @Override
    public void stored(Job job) {
        next.stored(job);
    }
}
