package dev.soracamel.sandbox;

/**
 * How an account's {@code /v1/videos} answers are worded. The create request's rules are OpenAI's in both:
 * gateways pass the request on to OpenAI but rewrite the answers, and a client must read both forms.
 */
public enum Dialect {

    /** OpenAI's own API: statuses queued, in_progress, completed, failed; MP4 only from {@code /content}. */
    OPENAI("queued", "in_progress", "completed", "failed"),

    /**
     * A Crazyrouter-like gateway (API-NOTES): statuses pending, processing, succeeded, failed; an integer
     * {@code duration} instead of the string {@code seconds}; the finished video's link in {@code video_url}
     * and {@code video.url}, a token-less link that expires like Yes Ai's {@code result_url}.
     */
    GATEWAY("pending", "processing", "succeeded", "failed");

    private final String queued;
    private final String inProgress;
    private final String completed;
    private final String failed;

    Dialect(String queued, String inProgress, String completed, String failed) {
        this.queued = queued;
        this.inProgress = inProgress;
        this.completed = completed;
        this.failed = failed;
    }

    /** The status word of a task; both ways of failing are one status here, told apart by {@code error.code}. */
    String status(TaskStatus status) {
        switch (status) {
            case QUEUED: return queued;
            case IN_PROGRESS: return inProgress;
            case COMPLETED: return completed;
            default: return failed;
        }
    }
}
