package dev.soracamel.flow;

/**
 * At most one call in flight, and the next one not before {@code spacing} after the previous answer
 * arrived. Counting from the answer, not from the send, is what makes the limit hold at the provider's
 * end whatever the network does: the provider saw the previous call before it answered it, and sees the
 * next one after we send it.
 */
public final class RateGate {

    private final long spacingNanos;
    private boolean inFlight;
    private long nextAllowed = Long.MIN_VALUE;

    public RateGate(java.time.Duration spacing) {
        this.spacingNanos = spacing.toNanos();
    }

    public synchronized boolean tryAcquire() {
        if (inFlight || (nextAllowed != Long.MIN_VALUE && System.nanoTime() - nextAllowed < 0)) {
            return false;
        }
        inFlight = true;
        return true;
    }

    public synchronized void release() {
        inFlight = false;
        nextAllowed = System.nanoTime() + spacingNanos;
    }
}
