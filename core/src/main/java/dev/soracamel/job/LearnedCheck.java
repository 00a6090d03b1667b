package dev.soracamel.job;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What an account has learned about one class of task (model, size, seconds): when to look first. Kept in the
 * account's record, so every node and every restart plans from the same figures, and changed only inside the
 * account's transaction, like the call gates. The rule that reads and moves it is {@code StatusSchedule}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class LearnedCheck {

    /** How long after the submit the first status check of this class's next task is planned; null: not learned yet. */
    public Long firstCheckMs;
    /**
     * The class's latest first checks, oldest first, as milliseconds after the submit: positive where the check
     * found the task done, negative where it did not.
     */
    public java.util.List<Long> recent = new java.util.ArrayList<>();
    /** First checks answered for this class, and how many of them found the task done. */
    public long firstChecks;
    public long firstCheckHits;
    /** The class's status answers carry a percent done: its checks are planned from that instead. */
    public boolean progress;
    public Instant updatedAt;
}
