package dev.soracamel.job;

import java.util.Collection;
import java.util.Optional;

/**
 * The durable record of every accepted job. Every state change is written here before the step that
 * depends on it runs, so a restart knows what was in flight. The embedded default keeps one file per
 * job; a shared database can implement the same contract.
 */
public interface JobStore {

    /**
     * Records a new job unless one with the same request id exists: this is what makes a request id
     * submit-once, also across restarts.
     *
     * @return false if the request id is already taken
     */
    boolean create(Job job);

    /** Persists the job's current state, atomically replacing the previous record. */
    void update(Job job);

    Optional<Job> find(String requestId);

    /** Every job known, final ones included. */
    Collection<Job> all();

    /** Forgets a finished job (retention); its request id can then be used again. */
    void delete(String requestId);
}
