package dev.soracamel.sandbox;

/**
 * The provider's "at most one request per second" rule for one kind of request. Every arrival moves the
 * window, refused ones included, so a client that keeps hammering keeps getting 429: that is what the
 * rule means for a caller, and it makes a missing client-side throttle show up at once.
 */
final class RateWindow {

    private static final double MIN_GAP_PROVIDER_SECONDS = 1.0;

    private final ProviderClock clock;
    private boolean seenAny;
    private long lastArrivalNanos;

    RateWindow(ProviderClock clock) {
        this.clock = clock;
    }

    /** Real time from any arrival to the next welcome one: since refused arrivals move the window too. */
    long gapNanos() {
        return clock.realNanos(MIN_GAP_PROVIDER_SECONDS);
    }

    /** Records an arrival; true when it came less than one provider second after the previous one. */
    synchronized boolean arriveIsBreach(long nowNanos) {
        boolean breach = seenAny
                && clock.providerSecondsBetween(lastArrivalNanos, nowNanos) < MIN_GAP_PROVIDER_SECONDS;
        seenAny = true;
        lastArrivalNanos = nowNanos;
        return breach;
    }
}
