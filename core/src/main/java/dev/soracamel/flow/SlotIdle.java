package dev.soracamel.flow;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * The estimated time this node's last finished tasks held their slot after they ended, before a check saw them
 * (see {@link StatusSchedule#idleEstimate}): the throughput the status schedule still loses, for the progress line.
 */
final class SlotIdle {

    private final int keep;
    private final ArrayDeque<Long> millis = new ArrayDeque<>();
    private long sum;

    SlotIdle(int keep) {
        this.keep = keep;
    }

    synchronized void add(Duration idle) {
        if (idle == null) {
            return;
        }
        long ms = idle.toMillis();
        millis.addLast(ms);
        sum += ms;
        if (millis.size() > keep) {
            sum -= millis.removeFirst();
        }
    }

    /** The mean in provider seconds (this run's time divided by its scale), null before the first. */
    synchronized Double meanSeconds(double timeScale) {
        return millis.isEmpty() ? null : sum / 1000.0 / millis.size() / timeScale;
    }
}
