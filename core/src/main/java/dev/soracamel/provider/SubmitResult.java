package dev.soracamel.provider;

/** What a submit answer means for the job, whatever the provider's wording. */
public record SubmitResult(Kind kind, String taskId, String code, String message, int httpStatus,
                           java.time.Duration providerWait) {

    public enum Kind {
        /** A task exists (and is paid): poll it. */
        CREATED,
        /** The provider refused this request; nothing was created. Dead-letter it. */
        REJECTED,
        /** The provider refused this customer for good. Dead-letter it and refuse the customer locally from now on. */
        CUSTOMER_BANNED,
        /** An account problem (bad token, no credit): every submit would fail. Pause the queue; nothing is dead-lettered. */
        PAUSE,
        /** A passing refusal (rate, task limit, server error): try the same job again after a backoff. */
        RETRY,
        /** We cannot tell whether a task was created. Resubmitting could pay twice. */
        OUTCOME_UNKNOWN
    }

    public static SubmitResult created(String taskId) {
        return new SubmitResult(Kind.CREATED, taskId, null, null, 200, null);
    }

    /** The same result, with how long the provider asked us to wait (Retry-After), if it did. */
    public SubmitResult waiting(java.time.Duration providerWait) {
        return new SubmitResult(kind, taskId, code, message, httpStatus, providerWait);
    }

    public static SubmitResult of(Kind kind, String code, String message, int httpStatus) {
        return new SubmitResult(kind, null, code, message, httpStatus, null);
    }
}
