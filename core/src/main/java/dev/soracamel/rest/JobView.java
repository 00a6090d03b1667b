package dev.soracamel.rest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;

/**
 * What REST shows of a job: a copy made under the board's lock, in the request's own snake_case. Left out on
 * purpose: the request body (the caller has it), and the provider's result link (it may carry a signature and
 * dies within the hour). Nothing here can hold the API token: a job never records it.
 */
public final class JobView {

    private JobView() {
    }

    /** Everything about one job: GET /jobs/{id}. */
    public static Map<String, Object> of(Job j) {
        Map<String, Object> v = identity(j);
        v.put("model", j.model);
        v.put("source", j.source);
        v.put("task_id", j.taskId);
        v.put("task_ids", List.copyOf(j.taskIds));
        v.put("status_checks", j.statusChecks);
        v.put("last_status", j.lastStatus);
        v.put("next_check_at", j.state == JobState.POLLING ? j.nextCheckAt : null);
        // why then: the learned first check of the task's class, the provider's percent done, or its interval
        v.put("next_check_why", j.state == JobState.POLLING ? j.checkPlan : null);
        if (j.lookup != null) {
            // POLLING without a task id: say why, or a person sees a job polling nothing
            Map<String, Object> lookup = new LinkedHashMap<>();
            lookup.put("since", j.lookup.since);
            lookup.put("why", j.lookup.why);
            lookup.put("pages_read", j.lookup.pages);
            lookup.put("videos_seen", j.lookup.seen);
            v.put("looking_up_lost_task", lookup);
        }

        Map<String, Object> attempts = new LinkedHashMap<>();
        attempts.put("tasks_created", j.tasksCreated);
        attempts.put("submit_retries", j.submitRetries);
        attempts.put("timeout_resubmits", j.timeoutResubmits);
        attempts.put("download_attempts", j.downloadAttempts);
        v.put("attempts", attempts);

        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("accepted_at", j.acceptedAt);
        timings.put("submitted_at", j.submittedAt);
        timings.put("completed_at", j.completedSeenAt);
        timings.put("finished_at", finishedAt(j));
        v.put("timings", timings);
        // what the price table says this job cost so far (every created task counts), in its currency
        v.put("estimated_cost", j.estimatedCost);
        v.put("currency", j.currency);

        if (j.state == JobState.STORED) {
            Map<String, Object> stored = new LinkedHashMap<>();
            stored.put("location", j.storedLocation);
            stored.put("bytes", j.videoBytes);
            v.put("stored", stored);
        }
        DeadLetter d = j.deadLetter;
        if (j.state == JobState.DEAD && d != null) {
            Map<String, Object> dead = new LinkedHashMap<>();
            dead.put("code", d.code());
            dead.put("message", d.message());
            dead.put("http_status", d.httpStatus());
            dead.put("comment_en", d.commentEn());
            dead.put("comment_ru", d.commentRu());
            dead.put("written", j.deadLetterWritten);
            v.put("dead_letter", dead);
        }
        if (j.redrive != null) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("count", j.redrive.count);
            r.put("at", j.redrive.at);
            r.put("by", j.redrive.by);
            r.put("from_code", j.redrive.fromCode);
            r.put("resumes_at", j.redrive.resumesAt);
            r.put("accepted_double_payment", j.redrive.acceptedDoublePayment);
            r.put("dead_letter", j.redrive.deadLetter);
            v.put("redrive", r);
        }
        List<Map<String, Object>> history = new ArrayList<>(j.history.size());
        for (Job.Event e : j.history) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("at", e.at());
            h.put("event", e.event());
            h.put("detail", e.detail());
            history.add(h);
        }
        v.put("history", history);
        return v;
    }

    /** One line of GET /jobs. */
    public static Map<String, Object> summary(Job j) {
        Map<String, Object> v = identity(j);
        v.put("task_id", j.taskId);
        v.put("accepted_at", j.acceptedAt);
        v.put("finished_at", finishedAt(j));
        if (j.state == JobState.STORED) {
            v.put("stored_location", j.storedLocation);
        }
        if (j.state == JobState.DEAD) {
            v.put("dead_letter_code", j.deadCode);
        }
        if (j.redrive != null) {
            v.put("redrive_count", j.redrive.count);
        }
        return v;
    }

    private static Map<String, Object> identity(Job j) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("job_id", j.requestId);
        v.put("state", j.state.name());
        v.put("provider", j.provider);
        v.put("customer_id", j.customerId);
        return v;
    }

    private static Object finishedAt(Job j) {
        return switch (j.state) {
            case STORED -> j.storedAt;
            case DEAD -> j.deadAt;
            default -> null;
        };
    }
}
