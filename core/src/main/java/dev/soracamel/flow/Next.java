package dev.soracamel.flow;

/** Where a route sends the job after a step; the routes branch on it ({@code exchangeProperty.soraNext}). */
public enum Next {
    /** Nothing more for now: the job waits in the queue or for its next check. */
    WAIT,
    SUBMIT,
    CHECK,
    DOWNLOAD,
    DEAD_LETTER,
    /** The request id was accepted before; this copy is not submitted again. */
    DUPLICATE
}
