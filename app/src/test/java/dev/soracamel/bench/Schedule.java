package dev.soracamel.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The schedule a run left behind, task by task, and what the provider's quota allowed. All times come from
 * the sandbox's own records (creation, final status, first download) and the pipeline's metadata (storedAt);
 * they are real wall-clock milliseconds and are converted to provider time by dividing by the time scale.
 */
final class Schedule {

    /**
     * One task as the provider saw it, and when its video was stored.
     *
     * @param downloadStartMs when the provider started serving the video (-1 if never)
     * @param storedMs        when the client had the video stored (-1 if never)
     */
    record Task(String id, long createdMs, long finalMs, long downloadStartMs, long storedMs, int checks, int early) {
    }

    /** The rules a client has to keep, in provider seconds. */
    record Rules(int slots, double spacing, double firstCheck, double pollInterval) {
    }

    final List<Task> tasks;
    final double scale;
    final Rules rules;

    Schedule(List<Task> tasks, double scale, Rules rules) {
        this.tasks = List.copyOf(tasks);
        this.scale = scale;
        this.rules = rules;
    }

    /** Real milliseconds as provider seconds. */
    double provider(double realMs) {
        return realMs / 1000.0 / scale;
    }

    /** Generation time of each task: creation to final status, provider seconds. */
    double[] durations() {
        return tasks.stream().mapToDouble(t -> provider(t.finalMs() - t.createdMs())).toArray();
    }

    /**
     * When a client that keeps the poll schedule can first see the task's end: the first check at the
     * first-check delay, then one per poll interval. No such client can free the slot earlier.
     */
    double[] seenAt() {
        return Arrays.stream(durations()).map(d -> d <= rules.firstCheck() ? rules.firstCheck()
                : rules.firstCheck() + rules.pollInterval() * Math.ceil((d - rules.firstCheck()) / rules.pollInterval() - 1e-9))
                .toArray();
    }

    /**
     * The quota's lower bound on the makespan for slot occupancies {@code occ}: either all occupancy spread
     * over the slots, plus the ramp of the first submits (slot k cannot start before k spacings), or the
     * last submit (n-1 spacings after the first) plus the shortest occupancy.
     */
    double lowerBound(double[] occ) {
        int n = occ.length;
        double sum = Arrays.stream(occ).sum();
        double min = Arrays.stream(occ).min().orElse(0);
        int k = Math.min(rules.slots(), n);
        double ramp = rules.spacing() * k * (k - 1) / 2.0;
        return Math.max((sum + ramp) / rules.slots(), (n - 1) * rules.spacing() + min);
    }

    /**
     * The best a client could do that keeps the poll rhythm but picks one first-check delay for all tasks in
     * hindsight (at least the provider's minimum): each slot is held until the first check at or after the
     * task's end. Not a strict bound (a clairvoyant client could check each task exactly at its end), but what
     * tuning the first-check delay alone can reach. @return {best delay, its bound}
     */
    double[] bestFixedFirstCheck() {
        double[] d = durations();
        double max = Arrays.stream(d).max().orElse(rules.firstCheck());
        double bestT = rules.firstCheck();
        double best = Double.MAX_VALUE;
        for (double t = rules.firstCheck(); t <= Math.max(max, rules.firstCheck()) + 1e-9; t += 0.1) {
            final double tt = t;
            double[] occ = Arrays.stream(d).map(x -> x <= tt ? tt
                    : tt + rules.pollInterval() * Math.ceil((x - tt) / rules.pollInterval() - 1e-9)).toArray();
            double b = lowerBound(occ);
            if (b < best) {
                best = b;
                bestT = t;
            }
        }
        return new double[] {bestT, best};
    }

    double quotaBound() {
        return lowerBound(durations());
    }

    double scheduleBound() {
        return lowerBound(seenAt());
    }

    /** First task created to last video stored, provider seconds. */
    double makespan() {
        long first = tasks.stream().mapToLong(Task::createdMs).min().orElse(0);
        long last = tasks.stream().mapToLong(Task::storedMs).max().orElse(0);
        return provider(last - first);
    }

    double makespanRealSeconds() {
        return makespan() * scale;
    }

    /** First task created to last task final: the span the provider was busy, provider seconds. */
    double providerSpan() {
        long first = tasks.stream().mapToLong(Task::createdMs).min().orElse(0);
        long last = tasks.stream().mapToLong(Task::finalMs).max().orElse(0);
        return provider(last - first);
    }

    /** The fewest status checks that can see this task's end, on the poll schedule. */
    int[] minimumChecks() {
        return Arrays.stream(durations()).mapToInt(d -> d <= rules.firstCheck() ? 1
                : 1 + (int) Math.ceil((d - rules.firstCheck()) / rules.pollInterval() - 1e-9)).toArray();
    }

    int totalChecks() {
        return tasks.stream().mapToInt(Task::checks).sum();
    }

    int totalMinimum() {
        return Arrays.stream(minimumChecks()).sum();
    }

    /** Tasks checked more than their minimum plus one. */
    int overMinPlusOne() {
        int[] min = minimumChecks();
        int over = 0;
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).checks() > min[i] + 1) {
                over++;
            }
        }
        return over;
    }

    int maxOverMinimum() {
        int[] min = minimumChecks();
        int max = Integer.MIN_VALUE;
        for (int i = 0; i < tasks.size(); i++) {
            max = Math.max(max, tasks.get(i).checks() - min[i]);
        }
        return max;
    }

    /** Provider's completion to the stored file, real milliseconds, sorted. */
    double[] latencyMs() {
        return tasks.stream().filter(t -> t.storedMs() > 0).mapToDouble(t -> t.storedMs() - t.finalMs()).sorted().toArray();
    }

    /** Provider's completion to the first byte served: the wait for a status check to see it, real ms, sorted. */
    double[] seenWaitMs() {
        return tasks.stream().filter(t -> t.downloadStartMs() > 0)
                .mapToDouble(t -> t.downloadStartMs() - t.finalMs()).sorted().toArray();
    }

    /** Download start to stored, real milliseconds, sorted. */
    double[] downloadMs() {
        return tasks.stream().filter(t -> t.storedMs() > 0 && t.downloadStartMs() > 0)
                .mapToDouble(t -> t.storedMs() - t.downloadStartMs()).sorted().toArray();
    }

    /** Nearest-rank percentile of sorted values. */
    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }
}
