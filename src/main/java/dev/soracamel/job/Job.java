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

    public Instant submittedAt;
    /** Status checks sent for the current task. */
    public int statusChecks;
    public Instant nextCheckAt;
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

    public Job record(String event, String detail) {
        history.add(new Event(Instant.now(), event, detail));
        return this;
    }
}
