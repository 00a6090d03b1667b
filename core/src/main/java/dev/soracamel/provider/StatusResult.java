package dev.soracamel.provider;

/**
 * What a status answer means for the job.
 *
 * @param progress percent done as the provider reports it (0-100), null where the API has no such figure
 */
public record StatusResult(Kind kind, String status, String resultUrl, String code, String message,
                           String commentRu, String commentEn, int httpStatus, java.time.Duration providerWait,
                           Integer progress) {

    public StatusResult(Kind kind, String status, String resultUrl, String code, String message,
                        String commentRu, String commentEn, int httpStatus) {
        this(kind, status, resultUrl, code, message, commentRu, commentEn, httpStatus, null, null);
    }

    /**
     * The same result, with how long the provider asked us to wait before the next call
     * ({@code openai-poll-after-ms}, {@code Retry-After}), if it did.
     */
    public StatusResult waiting(java.time.Duration providerWait) {
        return new StatusResult(kind, status, resultUrl, code, message, commentRu, commentEn, httpStatus, providerWait,
                progress);
    }

    /** The same result, with the provider's percent done; a value outside 0-100 is not a reading and is dropped. */
    public StatusResult withProgress(Integer percent) {
        Integer p = percent != null && percent >= 0 && percent <= 100 ? percent : null;
        return new StatusResult(kind, status, resultUrl, code, message, commentRu, commentEn, httpStatus, providerWait, p);
    }

    public enum Kind {
        /** Queued or in progress: check again after the poll interval. */
        WAITING,
        /** Done: download the result at once. */
        COMPLETED,
        /** The provider rejected the task; its comments say why. Dead-letter. */
        FAILED,
        /** The provider gave up on time; the seed says to run it again. */
        TIMED_OUT,
        /** A passing failure of the status call itself: check again later, the task is unaffected. */
        RETRY,
        /** An account problem (bad token): pause the provider. */
        PAUSE,
        /** The provider does not know the task, or answered something we cannot read. Dead-letter. */
        LOST
    }

    public static StatusResult of(Kind kind, String status, int httpStatus) {
        return new StatusResult(kind, status, null, null, null, null, null, httpStatus);
    }

    public static StatusResult error(Kind kind, String code, String message, int httpStatus) {
        return new StatusResult(kind, null, null, code, message, null, null, httpStatus);
    }
}
