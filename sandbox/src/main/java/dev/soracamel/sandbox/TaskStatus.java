package dev.soracamel.sandbox;

/** The task statuses of seed 000, with the exact {@code status_description} texts. */
enum TaskStatus {
    QUEUED(0, "in queue"),
    IN_PROGRESS(1, "in progress"),
    COMPLETED(2, "completed"),
    REJECTED(3, "rejected with error"),
    TIMED_OUT(4, "rejected due to timeout");

    final int code;
    final String description;

    TaskStatus(int code, String description) {
        this.code = code;
        this.description = description;
    }

    /** Active tasks (0 and 1) are the ones the tariff's limit counts. */
    boolean active() {
        return this == QUEUED || this == IN_PROGRESS;
    }
}
