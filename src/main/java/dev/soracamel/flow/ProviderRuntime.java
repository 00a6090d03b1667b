package dev.soracamel.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import dev.soracamel.config.ProviderSettings;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.Job;
import dev.soracamel.provider.ProviderAdapter;

/**
 * The live state of one provider: its queue, the jobs holding its active-task slots, its call gates and
 * whether it is paused. Every method is called under the {@link JobBoard}'s lock.
 */
final class ProviderRuntime {

    /** Resubmits after a provider timeout go first: they already waited their turn once. */
    private static final Comparator<Job> QUEUE_ORDER = Comparator
            .comparingInt((Job j) -> j.timeoutResubmits > 0 ? 0 : 1)
            .thenComparingLong(j -> j.seq);
    private static final Comparator<Job> POLL_ORDER = Comparator
            .comparing((Job j) -> j.nextCheckAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(j -> j.seq);

    final ProviderSettings settings;
    final ProviderAdapter adapter;
    final RateGate submitGate;
    final RateGate statusGate;

    final TreeSet<Job> queue = new TreeSet<>(QUEUE_ORDER);
    final TreeSet<Job> polling = new TreeSet<>(POLL_ORDER);
    final Set<String> slotHolders = new HashSet<>();
    /**
     * Slots we keep counting after a job left us without a final status (its submit answer never came,
     * or the status answer could not be read): the provider may still be running its task.
     */
    final List<Instant> phantomSlots = new ArrayList<>();

    Instant submitPausedUntil;
    Instant statusPausedUntil;
    String pauseCode;
    String pauseMessage;
    /** The pause stops status checks too (a refused token); one for no credit stops submits alone. */
    boolean pauseStopsStatus;
    Instant pausedSince;

    Instant submitBackoffUntil;
    int submitBackoffLevel;
    Instant statusBackoffUntil;
    int statusBackoffLevel;

    ProviderRuntime(ProviderSettings settings, ProviderAdapter adapter, SoraSettings sora) {
        this.settings = settings;
        this.adapter = adapter;
        this.submitGate = new RateGate(sora.scaled(settings.submitSpacing()));
        this.statusGate = new RateGate(sora.scaled(settings.statusSpacing()));
    }

    int active(Instant now) {
        phantomSlots.removeIf(until -> !until.isAfter(now));
        return slotHolders.size() + phantomSlots.size();
    }

    boolean submitsPaused(Instant now) {
        return submitPausedUntil != null && now.isBefore(submitPausedUntil);
    }

    boolean statusPaused(Instant now) {
        return statusPausedUntil != null && now.isBefore(statusPausedUntil);
    }

    static Duration backoff(SoraSettings sora, int level) {
        long initial = sora.scaled(sora.retryInitialBackoff()).toMillis();
        long max = sora.scaled(sora.retryMaxBackoff()).toMillis();
        long d = initial << Math.min(Math.max(level - 1, 0), 20);
        return Duration.ofMillis(Math.min(Math.max(d, 1), Math.max(max, 1)));
    }
}
