package dev.soracamel.sandbox;

/**
 * Converts between provider time and real time. All rules of the simulated service are stated in provider
 * seconds; this clock scales them by {@code timeScale} (real ms per provider ms). Intervals are measured with
 * {@link System#nanoTime()} so a wall-clock jump cannot fake or hide a breach.
 */
final class ProviderClock {

    private final double timeScale;

    ProviderClock(double timeScale) {
        this.timeScale = timeScale;
    }

    /** Monotonic real time, the reference for every interval the sandbox judges. */
    long nowNanos() {
        return System.nanoTime();
    }

    /** Real nanoseconds that the given provider seconds last. */
    long realNanos(double providerSeconds) {
        return Math.round(providerSeconds * timeScale * 1_000_000_000d);
    }

    /** Provider seconds elapsed between two {@link #nowNanos()} readings. */
    double providerSecondsBetween(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000_000d / timeScale;
    }
}
