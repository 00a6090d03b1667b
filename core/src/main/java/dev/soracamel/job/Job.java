package dev.soracamel.job;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One request on its way to a stored MP4. This record is what the job store persists, so every field
 * a restart needs lives here; it is also the metadata written beside the stored video.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class Job {

    /** One line of the job's history, kept in its metadata so a person can see what happened when. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(Instant at, String event, String detail) {
    }

    public String requestId;
    /**
     * The record's version in the job repository: every write is a compare-and-set on it, so a node that
     * acted on an old copy (it stalled while another took its work over) fails to write instead of
     * overwriting what happened since.
     */
    public long version;
    public String provider;
    /** The provider account (see {@code sora.provider.<name>.account}) whose slots and limits this job counts against. */
    public String account;
    public String customerId;
    public String model;
    /** The request as it arrived (one element of the file), sent on to the provider after validation. */
    public ObjectNode request;
    /** Where the request came from, e.g. the inbox file name. */
    public String source;
    /** Acceptance order; the queue is first come, first served. */
    public long seq;

    public JobState state = JobState.QUEUED;
    public Instant acceptedAt;

    /** Provider task id of the current attempt. */
    public String taskId;
    /** Every task id this job has had: more than one only after provider timeouts (status 4). */
    public List<String> taskIds = new ArrayList<>();
    /** Tasks the provider created for this job (each one paid, unless the provider failed it). */
    public int tasksCreated;
    /** Submits that failed without creating a task (429, 500, connection refused...), reset on success. */
    public int submitRetries;
    /** Resubmits after a provider timeout (status 4). */
    public int timeoutResubmits;

    /** When the current submit's POST was let go: the earliest a task it created can have been created. */
    public Instant submitSentAt;
    /**
     * Set while the job looks up the task of a submit whose answer was lost, in the provider's list of recent
     * tasks; the job is POLLING without a task id meanwhile, so it holds its slot and the lookup goes through
     * the account's status gate.
     */
    public Lookup lookup;

    public Instant submittedAt;
    /** Status checks sent for the current task. */
    public int statusChecks;
    public Instant nextCheckAt;
    /** Why {@link #nextCheckAt} is when it is (the learned first check, the provider's progress, its interval). */
    public String checkPlan;
    /** How long after the submit the current task's first check left, until its answer teaches the class. */
    public Long firstCheckOffsetMs;
    /** The first and the latest percent done the provider reported for the current task. */
    public ProgressReading progressFirst;
    public ProgressReading progressLast;
    /** The last answer that saw the current task still running, and the end its percent done pointed to, if any. */
    public Instant runningSeenAt;
    public Instant expectedEndAt;
    public String lastStatus;

    public String resultUrl;
    public Instant completedSeenAt;
    public int downloadAttempts;
    public Long videoBytes;

    /** The checked MP4 in the work folder, from the download until it is stored. */
    public String downloadedFile;
    /** Where the video itself was written, before its metadata: a store tried again after that writes only the metadata. */
    public String videoLocation;
    /** Failed tries to write to storage, and since when they fail (a storage outage). */
    public int storeFailures;
    public Instant storeFailingSince;

    public Instant storedAt;
    public String storedLocation;
    public Instant deadAt;
    public String deadCode;
    /** Why it died, as written to the dead-letter channel. */
    public dev.soracamel.deadletter.DeadLetter deadLetter;
    /** Set once the dead-letter channel has the job; until then a restart sends it again. */
    public boolean deadLetterWritten;
    /** Stored or dead-lettered, and the notification of it not yet taken by the notification endpoint. */
    public boolean notifyPending;

    /**
     * Set when the job left us while the provider may still be running a task for it (its submit's
     * answer never came): its slot is counted until then, also across restarts.
     */
    public Instant slotHeldUntil;
    /**
     * How many tasks the provider may still be running for this job without us polling them (each lost submit
     * answer adds one, a resubmit after one does not take it away): all counted until {@link #slotHeldUntil}, on
     * top of the slot the job holds itself while it submits or polls. Records from before it count as one.
     */
    public int phantomSlots;

    // ---- spend (issue #6)
    /** What one task of this job is estimated to cost (price table, at the latest pricing); null: no price. */
    public java.math.BigDecimal taskPrice;
    /** The price table's currency, for every amount on this record. */
    public String currency;
    /** Every submit that created, or may have created, a paid task: resubmits after status 4 add one each. */
    public List<Charge> charges = new ArrayList<>();
    /** The sum of {@link #charges}: what this job is estimated to have cost so far. */
    public java.math.BigDecimal estimatedCost;
    /** The charge of a submit on the wire: counted against the budget until its answer says whether a task exists. */
    public Charge pendingCharge;

    /**
     * Which node is doing this job's current step (a submit on the wire, a download, writing its dead letter or
     * sending its event), and until when that claim holds. After that, another node may take the step over.
     */
    public String claimedBy;
    public Instant claimUntil;

    public List<Event> history = new ArrayList<>();

    /** A percent done the provider reported, and how long after the submit. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class ProgressReading {
        public long atMs;
        public int percent;

        public ProgressReading() {
        }

        public ProgressReading(long atMs, int percent) {
            this.atMs = atMs;
            this.percent = percent;
        }
    }

    /** Set once the job was sent back from the dead-letter channel (redrive); kept across later redrives. */
    public Redriven redrive;

    /** The note a redrive leaves on the job record (and in GET /jobs/{id}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Redriven {
        /** Redrives so far. */
        public int count;
        /** The last one: when, by whom, from which dead-letter code, and where the job went on. */
        public Instant at;
        public String by;
        public String fromCode;
        public String resumesAt;
        public Boolean acceptedDoublePayment;
        /** The dead letter it was redriven from (its name in the channel), marked as redriven there. */
        public String deadLetter;
    }

    /** Where the lookup of a lost submit's task stands. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static class Lookup {
        /** When the submit's outcome became unknown. */
        public Instant since;
        /** Why it is unknown, for the dead letter if the lookup does not settle it. */
        public String why;
        /** Pages of the list read so far, and the cursor of the next one. */
        public int pages;
        public String after;
        /** Listed tasks looked at so far. */
        public int seen;
        /** Ids of the listed tasks that match the job. */
        public List<String> matches = new ArrayList<>();
        /** Pages that could not be read (5xx, timeout), one after the other. */
        public int failures;
    }

    public Job record(String event, String detail) {
        history.add(new Event(Instant.now(), event, detail));
        return this;
    }
}
