package dev.soracamel.provider;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.job.Job;
import dev.soracamel.spend.Billable;
import dev.soracamel.validate.Rejection;

/**
 * What differs between provider APIs: the request fields and their rules, the wire format, and the
 * meaning of each answer. Everything else (queue, limits, schedule, storage) is shared and lives in the
 * routes and the flow beans.
 */
public interface ProviderAdapter {

    /** Checks every rule that can be checked locally, before any paid call; null when the request is fine. */
    Rejection validate(ObjectNode request);

    /** The model (Yes Ai: version) the request asks for, after {@link #validate} passed. */
    String model(ObjectNode request);

    /** The customer the provider bills and bans by, or null when the request has none. */
    String customerId(ObjectNode request);

    /** What a task of this request is billed by (model, resolution or size, seconds), after {@link #validate} passed. */
    Billable billable(ObjectNode request);

    /** Every combination the catalog accepts, so that the start can say which have no price. */
    List<Billable> billables();

    /** The image the provider will fetch, or null. */
    String imageUrl(ObjectNode request);

    /** Provider schedule: no status check before this, counted from the submit's answer. */
    Duration firstCheckDelay(Job job);

    HttpCall submit(Job job);

    SubmitResult interpretSubmit(HttpAnswer answer);

    HttpCall status(Job job);

    StatusResult interpretStatus(HttpAnswer answer);

    /**
     * Whether the provider lists an account's recent tasks, so that the task of a submit whose answer was lost
     * can be looked up instead of given up.
     */
    default boolean canLookUp() {
        return false;
    }

    /**
     * A page of the account's recent tasks, newest first: {@code limit} of them, after the task {@code after}
     * (null: from the newest).
     */
    default HttpCall lookup(Job job, String after, int limit) {
        throw new UnsupportedOperationException("this provider has no list of tasks");
    }

    default LookupResult interpretLookup(HttpAnswer answer) {
        throw new UnsupportedOperationException("this provider has no list of tasks");
    }

    /** The job's task as the provider's list would show it (its id and creation time unknown). */
    default ListedTask expectedTask(Job job) {
        throw new UnsupportedOperationException("this provider has no list of tasks");
    }
}
