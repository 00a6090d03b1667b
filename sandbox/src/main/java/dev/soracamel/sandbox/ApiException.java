package dev.soracamel.sandbox;

/** Ends the handling of a request with one of the provider's error answers. */
final class ApiException extends Exception {

    private final transient ApiError error;

    ApiException(ApiError error) {
        // No stack trace: this is an expected answer, not a fault.
        super(error.code(), null, false, false);
        this.error = error;
    }

    ApiError error() {
        return error;
    }
}
