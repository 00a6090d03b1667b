package dev.soracamel.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.job.Account;
import dev.soracamel.job.Job;
import dev.soracamel.job.LearnedCheck;

/**
 * When to look at a task next: the one place that decides it. A slot frees only when a check sees its task
 * done, so every second between the end of a task and that check is a second of a paid slot doing nothing;
 * every check too early is a call spent for nothing. The provider's rules bound both: never before its
 * first-check minimum, never sooner than its interval after the previous check, never more than its limit.
 * <p>
 * <b>First check, learned per class</b> (model, size or resolution, seconds) and per account. Without a percent
 * done in the answers, all a check tells is "done" or "not yet", and a check that comes too soon costs its
 * task a whole interval while one that comes late costs a second per second; for the spread of generation
 * times seen in practice, the best first check is just above the class's slowest tasks. So the plan is a
 * ratchet: it starts where the class's first task was first seen done; a first check that finds its task still
 * running lifts the plan to {@value #MARGIN_PER_INTERVAL}-th of an interval above that check; a first check
 * that finds it done, while none of the class's last {@value #WINDOW} first checks missed near the plan,
 * lowers it by a {@value #PROBE_PER_INTERVAL}-th of an interval (a probe: the class may have got faster). It
 * never goes below the provider's minimum.
 * <p>
 * <b>Later checks, from the percent done</b> where the answers carry one ({@code progress} of /v1/videos): the
 * end is extrapolated from the first and the latest reading (a two-point rate, so time spent queued does not
 * bias it; with one reading, the next check is the interval later), taking the slowest rate the whole-percent
 * readings allow, so the estimate errs late, never early.
 * A far end is approached in steps (a check at 60 % of the way) so the rate is read over a longer span before
 * the last check is placed. Such a class keeps its first check at the provider's minimum: the first readings
 * are what the plan is made of. Without a reading, the next check is the provider's interval later.
 * <p>
 * Every plan is at least the provider's interval after the answer it follows, and checks stop at the limit, so
 * a task gets at most one check more than the fixed schedule would have needed.
 */
final class StatusSchedule {

    /** A missed first check lifts the plan this fraction of an interval above it (1/40: 0.5 s of Yes Ai's 20 s). */
    static final int MARGIN_PER_INTERVAL = 40;
    /** A probe lowers the plan by this fraction of an interval (1/200: 0.1 s of 20 s). */
    static final int PROBE_PER_INTERVAL = 200;
    /** How many of a class's latest first checks are remembered. */
    static final int WINDOW = 50;
    /** Where between now and a far estimated end the next reading is taken. */
    static final double APPROACH = 0.6;
    /** Readings below this percent are too coarse to extrapolate from. */
    static final int MIN_PERCENT = 3;

    private final boolean learn;

    StatusSchedule(boolean learn) {
        this.learn = learn;
    }

    /** A planned check and why it is then. */
    record Plan(Instant at, String why) {
    }

    /** The class a task's generation time is learned for: model, size or resolution, seconds. */
    static String classOf(Job job) {
        JsonNode r = job.request;
        String size = field(r, "size", "resolution");
        String seconds = field(r, "seconds", "duration");
        String model = job.model != null ? job.model : field(r, "model", "version");
        return (model == null ? "?" : model) + "/" + (size == null ? "?" : size) + "/" + (seconds == null ? "?" : seconds);
    }

    private static String field(JsonNode r, String... names) {
        if (r == null) {
            return null;
        }
        for (String n : names) {
            JsonNode v = r.get(n);
            if (v != null && !v.isNull() && v.isValueNode()) {
                return v.asText().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** The first check of a task just created: the learned plan of its class, never before the provider's minimum. */
    Plan first(Account a, Job job, Instant submittedAt, Duration floor) {
        LearnedCheck c = learn ? a.learned.get(classOf(job)) : null;
        long ms = floor.toMillis();
        String why = "the provider's first-check minimum";
        if (c != null && !c.progress && c.firstCheckMs != null && c.firstCheckMs > ms) {
            ms = c.firstCheckMs;
            why = "learned for " + classOf(job) + " from " + c.firstChecks + " first checks";
        } else if (c != null && c.progress) {
            why = "the provider's first-check minimum; later checks planned from its percent done";
        }
        job.firstCheckOffsetMs = null;
        return new Plan(submittedAt.plus(Duration.ofMillis(ms)), why);
    }

    /** The task's first check is leaving now: what its answer teaches is about this moment, not the plan's. */
    void firstCheckLeaving(Job job, Instant now) {
        job.firstCheckOffsetMs = job.submittedAt == null ? null : Duration.between(job.submittedAt, now).toMillis();
    }

    /**
     * What the answer to a task's first check teaches about its class: called once per task, with whether the
     * check found it done.
     */
    void firstAnswered(Account a, Job job, boolean done, Instant now, Duration floor, Duration interval) {
        Long checkedAt = job.firstCheckOffsetMs;
        job.firstCheckOffsetMs = null;
        if (!learn || checkedAt == null) {
            return;
        }
        long at = checkedAt;
        LearnedCheck c = a.learned.computeIfAbsent(classOf(job), k -> new LearnedCheck());
        c.firstChecks++;
        if (done) {
            c.firstCheckHits++;
        }
        c.updatedAt = now;
        c.recent.add(done ? at : -at);
        while (c.recent.size() > WINDOW) {
            c.recent.remove(0);
        }
        long p = interval.toMillis();
        long margin = Math.max(1, p / MARGIN_PER_INTERVAL);
        if (c.firstCheckMs == null) {
            // the class's first answer: where it was seen done, or (not yet) where its next check will look
            c.firstCheckMs = done ? at : at + p;
            return;
        }
        long plan = c.firstCheckMs;
        if (!done) {
            c.firstCheckMs = Math.max(plan, at + margin);
            return;
        }
        boolean missedNearPlan = c.recent.stream().anyMatch(x -> x < 0 && -x >= plan - 2 * margin);
        if (!missedNearPlan) {
            c.firstCheckMs = Math.max(floor.toMillis(), plan - Math.max(1, p / PROBE_PER_INTERVAL));
        }
    }

    /**
     * How long the task, just seen done at {@code seen}, held its slot after it ended: an estimate, as no API says
     * when a task ended. Where the percent done pointed to an end, from that end; else half the span in which the
     * task must have ended (since the last answer that saw it running, or since the provider's minimum for one
     * seen done at its first check).
     */
    static Duration idleEstimate(Job job, Instant seen, Duration floor) {
        if (job.submittedAt == null) {
            return null;
        }
        if (job.expectedEndAt != null) {
            return job.expectedEndAt.isBefore(seen) ? Duration.between(job.expectedEndAt, seen) : Duration.ZERO;
        }
        Instant from = job.runningSeenAt != null ? job.runningSeenAt : job.submittedAt.plus(floor);
        return from.isBefore(seen) ? Duration.between(from, seen).dividedBy(2) : Duration.ZERO;
    }

    /** The next check of a task still running: the provider's interval later, or later still from its percent done. */
    Plan next(Account a, Job job, Instant now, Duration interval, Duration providerWait, Integer percent) {
        job.runningSeenAt = now;
        Duration wait = AccountRules.atLeast(interval, providerWait);
        Instant soonest = now.plus(wait);
        String why = providerWait != null && providerWait.compareTo(interval) > 0 ? "the provider's poll-after hint"
                : "the provider's interval";
        if (!learn || percent == null || job.submittedAt == null) {
            return new Plan(soonest, why);
        }
        a.learned.computeIfAbsent(classOf(job), k -> new LearnedCheck()).progress = true;
        long atMs = Duration.between(job.submittedAt, now).toMillis();
        if (percent < MIN_PERCENT || percent >= 100 || atMs <= 0) {
            return new Plan(soonest, why);
        }
        Job.ProgressReading reading = new Job.ProgressReading(atMs, percent);
        if (job.progressFirst == null) {
            job.progressFirst = reading;
        }
        job.progressLast = reading;
        // One reading says little: time spent queued before the percent started to rise can put its end minutes
        // late. From the first reading to this one, at the slowest rate their whole percents allow...
        Job.ProgressReading f = job.progressFirst;
        if (f == reading || atMs <= f.atMs || percent - f.percent < 2) {
            return new Plan(soonest, why + " (" + percent + "% done: a rate needs two readings)");
        }
        double rate = (percent - f.percent - 1) / (double) (atMs - f.atMs);
        // ...or, if that is sooner, as if it had risen since the submit (never sooner than the true end either)
        double end = Math.min(atMs + (100 - percent) / rate, atMs * 100.0 / percent);
        long endMs = (long) Math.ceil(end);
        long left = endMs - atMs;
        long target = left > 2 * interval.toMillis() ? atMs + Math.round(left * APPROACH) : endMs;
        job.expectedEndAt = job.submittedAt.plus(Duration.ofMillis(endMs));
        Instant planned = job.submittedAt.plus(Duration.ofMillis(target));
        if (!planned.isAfter(soonest)) {
            return new Plan(soonest, why + " (" + percent + "% done, the end is due sooner than that)");
        }
        return new Plan(planned, percent + "% done: the end is due about " + Math.round(endMs / 1000.0)
                + " s after the submit" + (target < endMs ? ", read again on the way" : ""));
    }
}
