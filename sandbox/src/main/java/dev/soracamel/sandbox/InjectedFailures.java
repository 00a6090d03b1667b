package dev.soracamel.sandbox;

/**
 * An armed number of made-up error answers, for tests of the client's error handling. Arming again replaces
 * what was left, so a test states exactly what comes next.
 */
final class InjectedFailures {

    private int remaining;
    private ApiError error;

    synchronized void arm(int count, int httpStatus, String code) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0");
        }
        this.remaining = count;
        this.error = new ApiError(httpStatus, code);
    }

    /** The error to answer this request with, or null when none is armed. */
    synchronized ApiError take() {
        if (remaining <= 0) {
            return null;
        }
        remaining--;
        return error;
    }
}
