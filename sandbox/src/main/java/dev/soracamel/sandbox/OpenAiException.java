package dev.soracamel.sandbox;

/** Ends the handling of a /v1/videos request with one of the API's error answers. */
final class OpenAiException extends Exception {

    private final transient OpenAiError error;

    OpenAiException(OpenAiError error) {
        // No stack trace: this is an expected answer, not a fault.
        super(error.message(), null, false, false);
        this.error = error;
    }

    OpenAiError error() {
        return error;
    }
}
