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
    private long nextAllowed;

    /**
     * The first call also waits one spacing: a process restarted right after its predecessor's last call
     * (a crash, a quick redeploy) must not make the next one too soon.
     */
    public RateGate(java.time.Duration spacing) {
        this.spacingNanos = spacing.toNanos();
        this.nextAllowed = System.nanoTime() + spacingNanos;
    }

    public synchronized boolean tryAcquire() {
        if (inFlight || System.nanoTime() - nextAllowed < 0) {
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
