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
 * done in the answers, all a check tells is "done" or "not yet", so the plan is a ladder: it starts where the
 * first task of the class was first seen done; each first check that finds its task done moves the plan down
 * one step (a probe: maybe the class is faster than that); a first check that does not moves it to that check
 * plus {@value #UP_STEPS} steps, and halves the step. The plan settles just above the class's slowest recent
 * tasks, where one more second costs every task a second and one second less costs the tasks it misses a whole
 * interval; it keeps probing down in ever smaller steps, so a class that got faster is followed, and a miss
 * lifts it at once when it got slower. It never goes below the provider's minimum.
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

    /** The ladder's first step, as a fraction of the provider's interval. */
    static final double FIRST_STEP = 0.1;
    /** The smallest step, as a fraction of the interval: the ladder keeps probing down this much. */
    static final double MIN_STEP = 1.0 / 400;
    /** How many steps above a missed first check the plan goes. */
    static final int UP_STEPS = 3;
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
        job.firstCheckOffsetMs = ms;
        return new Plan(submittedAt.plus(Duration.ofMillis(ms)), why);
    }

    /**
     * What the answer to a task's first check teaches about its class: called once per task, with whether the
     * check found it done.
     */
    void firstAnswered(Account a, Job job, boolean done, Instant now, Duration floor, Duration interval) {
        if (!learn || job.firstCheckOffsetMs == null) {
            return;
        }
        long at = job.firstCheckOffsetMs;
        LearnedCheck c = a.learned.computeIfAbsent(classOf(job), k -> new LearnedCheck());
        c.firstChecks++;
        if (done) {
            c.firstCheckHits++;
        }
        c.updatedAt = now;
        long p = interval.toMillis();
        long minStep = Math.max(1, Math.round(p * MIN_STEP));
        if (c.firstCheckMs == null) {
            // the first answer of the class: where it was seen done, or (not yet) where the next check will look
            c.firstCheckMs = done ? at : at + p;
            c.stepMs = Math.max(minStep, Math.round(p * FIRST_STEP));
            job.firstCheckOffsetMs = null;
            return;
        }
        long plan = c.firstCheckMs;
        long step = c.stepMs == null ? minStep : c.stepMs;
        // a check planned under an older plan says nothing about the current one unless it is on the far side of it
        if (done && at <= plan) {
            c.firstCheckMs = Math.max(floor.toMillis(), plan - step);
        } else if (!done && at >= plan) {
            c.firstCheckMs = at + UP_STEPS * step;
            c.stepMs = Math.max(minStep, step / 2);
        }
        job.firstCheckOffsetMs = null;
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
