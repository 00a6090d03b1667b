package dev.soracamel.flow;

import dev.soracamel.job.Job;
import dev.soracamel.provider.LookupResult;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;

/**
 * What the steps tell an observer (the metrics) about provider calls and finished jobs. Every method does
 * nothing by default, and nothing is listening unless one is set on the {@link JobBoard}: the pipeline runs
 * the same without an observer. Calls come from the route threads, outside the board's lock, after the
 * board decided; an observer must be quick and must not throw.
 */
public interface FlowEvents {

    FlowEvents NONE = new FlowEvents() {
    };

    /**
     * The observer, kept from breaking the flow: the calls come right after the board recorded a paid task or
     * a stored video, inside the steps' error handling, so an observer's exception would be taken for a failed
     * submit or store (and dead-letter a paid task, or pay twice). It is logged and dropped instead.
     */
    static FlowEvents guarded(FlowEvents observer) {
        org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FlowEvents.class);
        java.util.function.Consumer<Runnable> safe = call -> {
            try {
                call.run();
            } catch (RuntimeException e) {
                log.warn("an observer of the pipeline failed; the job goes on: {}", e.toString());
            }
        };
        return new FlowEvents() {
            @Override
            public void submitAnswered(Job job, SubmitResult result, int httpStatus) {
                safe.accept(() -> observer.submitAnswered(job, result, httpStatus));
            }

            @Override
            public void submitNoAnswer(Job job, Throwable error) {
                safe.accept(() -> observer.submitNoAnswer(job, error));
            }

            @Override
            public void statusAnswered(Job job, StatusResult result, int httpStatus) {
                safe.accept(() -> observer.statusAnswered(job, result, httpStatus));
            }

            @Override
            public void statusNoAnswer(Job job, Throwable error) {
                safe.accept(() -> observer.statusNoAnswer(job, error));
            }

            @Override
            public void lookupAnswered(Job job, LookupResult result, int httpStatus) {
                safe.accept(() -> observer.lookupAnswered(job, result, httpStatus));
            }

            @Override
            public void deadLettered(Job job) {
                safe.accept(() -> observer.deadLettered(job));
            }

            @Override
            public void downloadAttempt(Job job, String outcome, int httpStatus, Throwable error) {
                safe.accept(() -> observer.downloadAttempt(job, outcome, httpStatus, error));
            }

            @Override
            public void stored(Job job) {
                safe.accept(() -> observer.stored(job));
            }
        };
    }

    /** A submit POST was answered with {@code httpStatus}, which the adapter read as {@code result}. */
    default void submitAnswered(Job job, SubmitResult result, int httpStatus) {
    }

    /** A submit POST got no answer (refused connection, timeout, reset). */
    default void submitNoAnswer(Job job, Throwable error) {
    }

    /** A status GET was answered with {@code httpStatus}, read as {@code result}; the board has acted on it. */
    default void statusAnswered(Job job, StatusResult result, int httpStatus) {
    }

    /** A status GET got no answer; the board checks again later. */
    default void statusNoAnswer(Job job, Throwable error) {
    }

    /**
     * A page of the provider's list of tasks, read to find a lost submit's task, was answered with
     * {@code httpStatus} and read as {@code result} (null, status 0: no answer came); the board has acted on it.
     */
    default void lookupAnswered(Job job, LookupResult result, int httpStatus) {
    }

    /** The job's dead letter is written; {@link Job#deadLetter} says why. */
    default void deadLettered(Job job) {
    }

    /**
     * One download attempt (a GET of the video) ended. {@code outcome}: {@code ok}, {@code retry} (failed,
     * tried again) or {@code failed} (failed, the job goes to the dead-letter channel); {@code httpStatus} is
     * 0 when no answer came; {@code error} is why it failed.
     */
    default void downloadAttempt(Job job, String outcome, int httpStatus, Throwable error) {
    }

    /** The video and its metadata are in storage; the job's timings are set. */
    default void stored(Job job) {
    }
}
