package dev.soracamel.flow;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;

/**
 * Which dead letters may be sent back into the pipeline, and what sending one back does to its job. Every code is
 * decided here and nowhere else: the REST call, the direct endpoint and the folder form all ask {@link #rule}.
 * <p>
 * A code not listed is refused: a code nobody thought about is one whose consequences (a paid task, a request that
 * would fail the same way) nobody checked.
 */
public final class Redrive {

    private Redrive() {
    }

    /** What a redrive of a code does. */
    public enum Kind {
        /** No task exists that a new submit could duplicate, or the provider charges none for it: queued again. */
        RESUBMIT,
        /**
         * The task completed and was paid: the kept video is stored again, never submitted again. Without a kept
         * video only a new, paid task could bring it back, so that needs the caller's consent as below.
         */
        STORE_AGAIN,
        /** The provider may hold a paid task for this job: a new submit may pay twice, so only with consent. */
        NEEDS_CONSENT,
        /** The request itself, or the customer, must change: sending the same request again fails the same way. */
        REFUSED
    }

    /** Where a redriven job goes on. */
    public enum Step {
        SUBMIT, STORE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One code's rule, with the reason in plain words (shown in answers and in the README's table). */
    public record Rule(String code, Kind kind, String why) {
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    private static void rule(Kind kind, String why, String... codes) {
        for (String c : codes) {
            RULES.put(c, new Rule(c, kind, why));
        }
    }

    static {
        rule(Kind.RESUBMIT, "over a daily budget before its submit: nothing was paid; it is checked against the budget "
                + "again when it is picked", "BUDGET_EXCEEDED");
        rule(Kind.RESUBMIT, "no price when it was picked: nothing was paid; it is priced again now, and refused again "
                + "if the price table still has no entry", "PRICE_NOT_FOUND");
        rule(Kind.RESUBMIT, "the task did not finish within the status checks allowed; the provider charges no task "
                + "that was never generated", "POLL_ATTEMPTS_EXHAUSTED");
        rule(Kind.RESUBMIT, "the provider timed the task out (status 4); a new task is made, and charged as every "
                + "resubmit after a timeout is", "TASK_TIMED_OUT");
        rule(Kind.RESUBMIT, "an account problem that paused the provider (no credit, a refused token): nothing was "
                + "created; redrive once it is lifted", "NOT_ENOUGH_RPOINTS", "UNAUTHORIZED");
        rule(Kind.RESUBMIT, "the customer was banned: redrive once the ban is lifted (its line removed from "
                + "banned-customers.txt); while it is there the redrive is refused",
                "CUSTOMER_BANNED", "USER_HAS_BEEN_BANNED");
        rule(Kind.RESUBMIT, "the submit was refused by the provider's server or never connected, after every retry: "
                + "no task was created", "INTERNAL_SERVER_ERROR", "CONNECTION_FAILED", "TOO_MANY_REQUESTS",
                "TASK_LIMIT_EXCEEDED");
        rule(Kind.STORE_AGAIN, "the video was paid; where it is kept it is stored again, never submitted again",
                "STORAGE_FAILED", "RESULT_LINK_EXPIRED", "DOWNLOAD_FAILED", "DOWNLOAD_INCOMPLETE", "DOWNLOAD_TOO_LARGE");
        rule(Kind.NEEDS_CONSENT, "the provider may have created, and charged, a task for this job whose answer never "
                + "came: a new submit may pay twice", "SUBMIT_OUTCOME_UNKNOWN");
        rule(Kind.NEEDS_CONSENT, "the provider lost track of a task it may still run and charge: a new submit may "
                + "pay twice", "ID_NOT_FOUND", "UNEXPECTED_RESPONSE");
        rule(Kind.NEEDS_CONSENT, "the job's provider was not configured at a start, at whatever step it was: a task "
                + "may exist there", "PROVIDER_NOT_CONFIGURED");
        rule(Kind.REFUSED, "the provider refused the content: the prompt must change (send it with a new request_id)",
                "TASK_REJECTED", "PROMPT_NSFW_WORDS", "PROMPT_EN_NSFW_WORDS", "PROMPT_FAILED_TO_TRANSLATE");
        rule(Kind.REFUSED, "the provider does not allow these parameters: the request must change",
                "PARAMETERS_IS_NOT_ALLOWED");
        rule(Kind.REFUSED, "the provider deleted this customer: no request of it can succeed", "USER_HAS_BEEN_DELETED");
        rule(Kind.REFUSED, "a step failed in a way no rule foresaw: whether a task exists is not known; read the log, "
                + "then send the request with a new request_id", "INTERNAL_ERROR");
        // what the intake refuses never becomes a job; listed so that the table says so
        rule(Kind.REFUSED, "the request is not valid: it must change (send it again with a new request_id)",
                "VERSION_IS_EMPTY", "VERSION_NOT_VALID", "VERSION_NOT_FOUND", "MODEL_IS_EMPTY", "MODEL_NOT_VALID",
                "PROMPT_IS_EMPTY", "PROMPT_NOT_VALID", "RESOLUTION_IS_EMPTY", "RESOLUTION_NOT_VALID",
                "RESOLUTION_NOT_FOUND", "DIMENSIONS_IS_EMPTY", "DIMENSIONS_NOT_VALID", "DIMENSIONS_NOT_FOUND",
                "DURATION_IS_EMPTY", "DURATION_NOT_VALID", "DURATION_NOT_FOUND", "SIZE_IS_EMPTY", "SIZE_NOT_VALID",
                "SIZE_NOT_FOUND", "SECONDS_NOT_VALID", "SECONDS_NOT_FOUND", "IMAGE_URL_IS_EMPTY",
                "IMAGE_URL_NOT_VALID", "IMAGE_URL_NOT_ALLOWED", "IMAGE_NOT_FOUND", "IMAGE_FILE_SIZE_NOT_VALID",
                "IMAGE_MIME_TYPE_NOT_VALID", "CUSTOMER_ID_IS_EMPTY", "CUSTOMER_ID_NOT_VALID", "REQUEST_ID_NOT_VALID",
                "PROVIDER_NOT_FOUND", "UNKNOWN_FIELD", "MALFORMED_JSON", "EMPTY_REQUEST_FILE", "NOT_A_JSON_FILE",
                "NOT_A_REGULAR_FILE", "FILE_NOT_READABLE", "REQUEST_FILE_TOO_LARGE", "REQUEST_TOO_LARGE");
    }

    /** The rule of a code; a code not listed is refused. */
    public static Rule rule(String code) {
        Rule r = code == null ? null : RULES.get(code);
        return r != null ? r : new Rule(code, Kind.REFUSED, "this code is not one that may be redriven (the list is in "
                + "the README's Redrive section): nobody checked that sending it again is safe and could succeed");
    }

    /** Every listed rule, in the order above (for the README's table and the tests). */
    public static List<Rule> rules() {
        return List.copyOf(RULES.values());
    }

    /**
     * What a redrive of this dead job would do.
     *
     * @param videoKept       the downloaded video is still in the work folder, or already in storage
     * @param customerBanned  the customer is on the local ban list now
     * @param consent         the caller accepts that a new submit may pay twice
     */
    public static Decision decide(Job job, boolean videoKept, boolean customerBanned, boolean consent) {
        Rule r = rule(job.deadCode);
        switch (r.kind()) {
            case REFUSED -> {
                return Decision.refused("REDRIVE_REFUSED", r, r.code() + " may not be redriven: " + r.why());
            }
            case RESUBMIT -> {
                if (customerBanned) {
                    return Decision.refused("CUSTOMER_STILL_BANNED", r, "customer '" + job.customerId + "' is still "
                            + "on the ban list (banned-customers.txt in the work folder): every request of it is "
                            + "dead-lettered; remove its line there first, then redrive");
                }
                return Decision.go(r, Step.SUBMIT, false);
            }
            case STORE_AGAIN -> {
                if (videoKept) {
                    return Decision.go(r, Step.STORE, false);
                }
                if (!consent) {
                    return Decision.refused("DOUBLE_PAYMENT_NOT_ACCEPTED", r, r.code() + ": the video was paid for, "
                            + "but it is kept nowhere, so only a new task (paid again) could bring it back; send "
                            + "\"accept_possible_double_payment\": true to submit it again");
                }
                return customerBanned ? Decision.refused("CUSTOMER_STILL_BANNED", r, "customer '" + job.customerId
                        + "' is on the ban list: remove its line from banned-customers.txt first")
                        : Decision.go(r, Step.SUBMIT, true);
            }
            default -> {
                if (!consent) {
                    return Decision.refused("DOUBLE_PAYMENT_NOT_ACCEPTED", r, r.code() + ": " + r.why() + ". Check "
                            + "the provider's dashboard first; to submit it again anyway send "
                            + "\"accept_possible_double_payment\": true");
                }
                return customerBanned ? Decision.refused("CUSTOMER_STILL_BANNED", r, "customer '" + job.customerId
                        + "' is on the ban list: remove its line from banned-customers.txt first")
                        : Decision.go(r, Step.SUBMIT, true);
            }
        }
    }

    /**
     * @param go           the job may be redriven
     * @param refusal      why not: a code of ours (REDRIVE_REFUSED, DOUBLE_PAYMENT_NOT_ACCEPTED, CUSTOMER_STILL_BANNED)
     * @param message      why not, in plain words
     * @param resumesAt    where it goes on
     * @param mayPayTwice  the provider may hold a paid task for it already
     */
    public record Decision(boolean go, Rule rule, String refusal, String message, Step resumesAt,
                           boolean mayPayTwice) {
        static Decision refused(String refusal, Rule rule, String message) {
            return new Decision(false, rule, refusal, message, null, false);
        }

        static Decision go(Rule rule, Step step, boolean mayPayTwice) {
            return new Decision(true, rule, null, null, step, mayPayTwice);
        }
    }

    /**
     * Sends the dead job back: the same request id, its history, attempts, task ids and charges kept; what belonged
     * to the failed attempt (its current task, its checks, its dead letter) cleared, so the pipeline takes it up as
     * it takes up any queued job, or any store left to do. The caller writes it with a compare-and-set.
     */
    public static void apply(Job job, Decision d, Instant now, String by) {
        if (!d.go() || job.state != JobState.DEAD) {
            throw new IllegalStateException("job " + job.requestId + " cannot be redriven now");
        }
        // the name of the dead letter it leaves, before the count moves on to name the next one
        String deadLetter = job.deadLetter == null ? null : deadLetterName(job);
        Job.Redriven note = job.redrive == null ? new Job.Redriven() : job.redrive;
        note.count++;
        note.at = now;
        note.by = by;
        note.fromCode = job.deadCode;
        note.resumesAt = d.resumesAt().word();
        note.acceptedDoublePayment = d.mayPayTwice() ? Boolean.TRUE : null;
        note.deadLetter = deadLetter;
        job.redrive = note;
        String from = job.deadCode;
        job.deadAt = null;
        job.deadCode = null;
        job.deadLetter = null;
        job.deadLetterWritten = false;
        job.claimedBy = null;
        job.claimUntil = null;
        job.nextCheckAt = null;
        job.storeFailures = 0;
        job.storeFailingSince = null;
        if (d.resumesAt() == Step.STORE) {
            // stored from what is kept, by the store route, as any store taken up again
            job.state = JobState.STORING;
            job.lastStatus = "redriven: storing again";
        } else {
            job.state = JobState.QUEUED;
            job.taskId = null;
            job.statusChecks = 0;
            job.submitRetries = 0;
            job.lookup = null;
            job.lastStatus = null;
            job.resultUrl = null;
            job.completedSeenAt = null;
            job.submitSentAt = null;
            job.downloadedFile = null;
            job.videoLocation = null;
        }
        job.history.add(new Job.Event(now, "redriven", "redrive " + note.count + " from " + from + " by " + by
                + ", resumes at " + note.resumesAt + (d.mayPayTwice() ? " (a possible double payment was accepted)" : "")));
    }

    /**
     * The name the job's current dead letter has in the channel ({@code .error.json} and the original beside it):
     * its id the first time, then {@code <id>~redrive-<n>} after its n-th redrive, so that no dead letter of it is
     * ever overwritten. '~' is never part of an id, and a rejection's {@code <id>~<digest>} is 16 hex digits.
     */
    public static String deadLetterName(Job job) {
        int n = job.redrive == null ? 0 : job.redrive.count;
        return n == 0 ? job.requestId : job.requestId + "~redrive-" + n;
    }

    /**
     * True when the job's downloaded video can be stored without downloading it: its checked file is in the work
     * folder, or the video itself is already in storage.
     */
    public static boolean videoKept(Job job) {
        return Delivery.hasDownloadedFile(job) || job.videoLocation != null;
    }
}
