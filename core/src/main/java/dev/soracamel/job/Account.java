package dev.soracamel.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the job repository keeps about one provider account (a token at a base URL): when its next submit and
 * its next status check may leave, which call is on the wire, whether it is paused and why, and how far its
 * backoff went. Every node reads and changes it only inside {@link JobRepository#inAccount}, under the
 * account's lock, so the provider's limits hold for the whole cluster, not per process.
 * <p>
 * Slots are not stored here: they are counted from the job records in the same transaction.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class Account {

    /** Which of the account's two call kinds: the paid POST and the status GET each have their own spacing. */
    public enum Call { SUBMIT, STATUS }

    public String key;

    /** The earliest time the next submit may leave (the previous answer plus the spacing, or a backoff). */
    public Instant nextSubmitAt;
    /**
     * Set while a submit is being sent: until then the node that claimed it may still put it on the wire. The
     * account's next submit waits for the answer (the holder clears this) or, if the holder died or stalled, for
     * this instant plus the spacing.
     */
    public Instant submitBusyUntil;
    public String submitBusyBy;
    public Instant nextStatusAt;
    public Instant statusBusyUntil;
    public String statusBusyBy;

    /** A pause (refused token, no credit): submits wait until {@link #submitPausedUntil}, re-checked on a clock. */
    public String pauseCode;
    public String pauseMessage;
    public Instant pausedSince;
    public Instant submitPausedUntil;
    public Instant statusPausedUntil;
    /** The pause stops status checks too (a refused token); one for no credit stops submits alone. */
    public boolean pauseStopsStatus;

    public Instant submitBackoffUntil;
    public int submitBackoffLevel;
    public Instant statusBackoffUntil;
    public int statusBackoffLevel;

    /** When to look at a task first, learned per class of task (see {@link LearnedCheck}); keyed by the class. */
    public java.util.Map<String, LearnedCheck> learned = new java.util.TreeMap<>();

    public Account() {
    }

    public Account(String key) {
        this.key = key;
    }

    public boolean submitsPaused(Instant now) {
        return submitPausedUntil != null && now.isBefore(submitPausedUntil);
    }

    public boolean statusPaused(Instant now) {
        return statusPausedUntil != null && now.isBefore(statusPausedUntil);
    }

    public boolean paused(Instant now) {
        return submitsPaused(now) || statusPaused(now);
    }
}
