package dev.soracamel.flow;

import java.util.concurrent.atomic.AtomicLong;

import dev.soracamel.job.JobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The timer steps (submit, poll, recover) look at the repository many times a second: while it cannot be reached,
 * each look fails. They wait instead of failing, and this says so once a half minute, not on every tick. No call
 * is made while it is down, since no claim can be taken.
 */
final class RepositoryOutage {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");
    private static final long EVERY_NANOS = 30_000_000_000L;
    private static final AtomicLong lastSaid = new AtomicLong(System.nanoTime() - EVERY_NANOS);

    private RepositoryOutage() {
    }

    static void waiting(String step, JobRepository.UnavailableException e) {
        long now = System.nanoTime();
        long last = lastSaid.get();
        if (now - last >= EVERY_NANOS && lastSaid.compareAndSet(last, now)) {
            LOG.error("the job repository is unavailable; {} and every other step waits until it is back: {}", step,
                    e.getMessage());
        }
    }
}
