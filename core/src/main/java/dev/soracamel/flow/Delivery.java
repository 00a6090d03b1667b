package dev.soracamel.flow;

import java.time.Duration;
import java.time.Instant;

import dev.soracamel.config.SoraSettings;
import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.job.JobState;
import dev.soracamel.spend.Spend;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job after its task completed: the download, the store, the dead letter and the event. Each step renews the
 * job's claim (a compare-and-set in the repository) before it acts and stops when another node has the job, so a
 * node that stalled past its claim writes nothing twice. What is downloaded or stored decides how a job goes on
 * after a restart or a take-over, never the link alone: a paid video that is here is never given up.
 * <p>
 * Its methods hold the board's lock: spend and the shared transition helpers live there.
 */
public class Delivery {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");

    private final JobBoard board;
    private final JobRepository repo;
    private final SoraSettings settings;
    private final Spend spend;

    Delivery(JobBoard board, JobRepository repo, SoraSettings settings, Spend spend) {
        this.board = board;
        this.repo = repo;
        this.settings = settings;
        this.spend = spend;
    }

    private void claim(Job job, Instant now, Duration lease) {
        board.claim(job, now, lease);
    }

    private boolean save(Job job, String step) {
        return board.save(job, step);
    }

    private void die(Job job, String code, String message, Integer httpStatus, String commentRu, String commentEn) {
        board.die(job, code, message, httpStatus, commentRu, commentEn);
    }


    /**
     * An attempt to download starts: counted, and the job's claim renewed.
     *
     * @return false when another node has the job now (this node must drop the download)
     */
    public boolean downloadStarting(Job job) {
        synchronized (board) {
            job.downloadAttempts++;
            claim(job, repo.now(), settings.stepLease());
            return save(job, "starting a download");
        }
    }

    /** The instant after which the result link must be presumed dead. */
    public Instant linkDeadline(Job job) {
        return job.completedSeenAt.plus(settings.scaled(settings.linkLifetime()));
    }

    /**
     * The MP4 is downloaded and checked: from now on it is never fetched again, only stored (a storage outage, a
     * restart and another node taking over all go on from this file).
     *
     * @return false when another node has the job now
     */
    public boolean downloaded(Job job, java.nio.file.Path file, long bytes) {
        synchronized (board) {
            Instant now = repo.now();
            job.state = JobState.STORING;
            job.downloadedFile = file.toAbsolutePath().toString();
            job.videoBytes = bytes;
            claim(job, now, settings.stepLease());
            job.record("downloaded", bytes + " bytes");
            return save(job, "recording its download");
        }
    }

    /** The video is in storage; its metadata comes next. A store tried again after this writes only the metadata. */
    public boolean videoWritten(Job job, String location) {
        synchronized (board) {
            job.videoLocation = location;
            claim(job, repo.now(), settings.stepLease());
            return save(job, "recording where its video went");
        }
    }

    /**
     * Writing to storage failed after the store route's own quick retries (storage down, a full disk, refused
     * credentials). The paid video stays in the work folder and the job waits, visibly (STORING, its last status
     * says why), to be stored again by the recover route after a backoff that doubles up to
     * {@code sora.store.outage.max-retry-delay}; only after {@code sora.store.outage.give-up-after} is it
     * dead-lettered, with a dead letter that says where the video is.
     */
    public Next storeFailed(Job job, Throwable error) {
        synchronized (board) {
            Instant now = repo.now();
            job.storeFailures++;
            if (job.storeFailingSince == null) {
                job.storeFailingSince = now;
            }
            String why = error == null ? "unknown error" : String.valueOf(error.getMessage());
            job.lastStatus = "store failed: " + why;
            if (!now.isBefore(job.storeFailingSince.plus(settings.storeGiveUpAfter()))) {
                String kept = keep(job);
                die(job, "STORAGE_FAILED", "the video was downloaded, but storage refused it " + job.storeFailures
                        + " times since " + job.storeFailingSince + " (the last: " + why + "); gave up after "
                        + settings.storeGiveUpAfter() + " (sora.store.outage.give-up-after). The video is kept at "
                        + kept + ": store it from there, nothing needs to be paid again", null, null, null);
                claim(job, now, settings.stepLease());
                return save(job, "giving up its store") ? Next.DEAD_LETTER : Next.WAIT;
            }
            long initial = Math.max(1, settings.storeRetryDelay().toMillis());
            long wait = Math.min(settings.storeRetryMaxDelay().toMillis(),
                    initial << Math.min(job.storeFailures - 1, 20));
            // no node holds the job until then; the recover route takes it up when the wait is over
            job.claimedBy = null;
            job.claimUntil = now.plusMillis(wait);
            job.record("store failed", why + "; tried again at " + job.claimUntil);
            if (save(job, "recording a failed store")) {
                LOG.warn("job {} [{}]: storage refused its video ({}); the video stays in {} and is stored again at {} "
                                + "(failing since {}, gives up after {})", job.requestId, settings.who(job.provider), why,
                        job.downloadedFile, job.claimUntil, job.storeFailingSince, settings.storeGiveUpAfter());
            }
            return Next.WAIT;
        }
    }

    /** Moves a video that cannot be stored out of the way of the part-file sweep; returns where it is. */
    private String keep(Job job) {
        if (!hasDownloadedFile(job)) {
            return job.videoLocation != null ? job.videoLocation : "(nowhere: the download is gone)";
        }
        java.nio.file.Path from = java.nio.file.Path.of(job.downloadedFile);
        java.nio.file.Path to = settings.work().resolve("kept").resolve(job.requestId + ".mp4");
        try {
            java.nio.file.Files.createDirectories(to.getParent());
            java.nio.file.Files.move(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            job.downloadedFile = to.toString();
            return to.toString();
        } catch (java.io.IOException e) {
            return from.toString();
        }
    }

    /**
     * The video is about to be written to storage: the job's claim is renewed first, so that a node that stalled
     * past its claim while another took the download over writes nothing.
     *
     * @return false when another node has the job now
     */
    public boolean storing(Job job) {
        synchronized (board) {
            claim(job, repo.now(), settings.stepLease());
            return save(job, "storing its video");
        }
    }

    /** @return false when another node had taken the job over (its own store wins) */
    public boolean stored(Job job, String location, long bytes) {
        synchronized (board) {
            Instant now = repo.now();
            job.state = JobState.STORED;
            job.storedAt = now;
            job.downloadedFile = null;
            job.storedLocation = location;
            job.videoBytes = bytes;
            job.notifyPending = true;
            claim(job, now, settings.stepLease());
            job.record("stored", location);
            if (!save(job, "storing its video")) {
                return false;
            }
            LOG.info("job {} [{}] stored: {} ({} bytes, {} s after the task completed)", job.requestId, settings.who(job.provider),
                    location, bytes, Duration.between(job.completedSeenAt, job.storedAt).toMillis() / 1000.0);
            return true;
        }
    }

    // ---------------------------------------------------------------- dead letters and events

    public boolean deadLettered(Job job) {
        synchronized (board) {
            job.deadLetterWritten = true;
            job.notifyPending = true;
            claim(job, repo.now(), settings.stepLease());
            if (!save(job, "recording its dead letter")) {
                return false;
            }
            DeadLetter d = job.deadLetter;
            LOG.warn("job {} [{}] DEAD-LETTERED {}: {}", job.requestId, settings.who(job.provider), d.code(), d.message());
            return true;
        }
    }

    /** The notification endpoint took the job's event: it is not sent again at the next start. */
    public void notified(Job job) {
        synchronized (board) {
            if (job.notifyPending) {
                job.notifyPending = false;
                JobBoard.unclaim(job);
                job.record("notified", job.state.name().toLowerCase(java.util.Locale.ROOT));
                save(job, "recording its event as sent");
            }
        }
    }


    // ---------------------------------------------------------------- retention

    /** Retention: forgets finished jobs older than the cutoff. @return how many */
    public int forgetFinishedBefore(Instant cutoff) {
        synchronized (board) {
            int n = 0;
            Instant now = repo.now();
            for (Job j : repo.finishedBefore(cutoff, 10_000)) {
                boolean settled = j.state == JobState.STORED || (j.state == JobState.DEAD && j.deadLetterWritten);
                boolean slotFree = j.slotHeldUntil == null || j.slotHeldUntil.isBefore(cutoff);
                // a record whose spend a budget still counts stays (spend is derived from the records)
                boolean spendCounted = spend.chargedRecently(j, now);
                if (settled && slotFree && !spendCounted && !j.notifyPending) {
                    repo.delete(j.requestId);
                    n++;
                }
            }
            return n;
        }
    }


    // ---------------------------------------------------------------- what is left of a job

    /**
     * Where a downloaded or downloading job goes on: "store" when its checked MP4 is in this node's work folder, or
     * the video itself is already in storage (only its metadata may be missing); "download" while its link can be
     * alive; else nothing can bring the video back.
     */
    String whatIsLeft(Job job, Instant now) {
        if (hasDownloadedFile(job) || job.videoLocation != null) {
            return "store";
        }
        if (job.downloadedFile != null) {
            // The default folder store renames the work file into place: a process killed right after that, before
            // it recorded where the video went, left the video in the outbox and no work file behind.
            java.nio.file.Path placed = settings.outbox().resolve(StoreStep.folder(job)).resolve(job.requestId + ".mp4");
            try {
                if (java.nio.file.Files.isRegularFile(placed) && job.videoBytes != null
                        && java.nio.file.Files.size(placed) == job.videoBytes) {
                    job.videoLocation = placed.toString();
                    return "store";
                }
            } catch (java.io.IOException e) {
                // not readable: as if not there
            }
        }
        return now.isBefore(linkDeadline(job)) ? "download" : "expired";
    }

    static boolean hasDownloadedFile(Job job) {
        if (job.downloadedFile == null) {
            return false;
        }
        java.nio.file.Path f = java.nio.file.Path.of(job.downloadedFile);
        try {
            return java.nio.file.Files.isRegularFile(f) && (job.videoBytes == null
                    || java.nio.file.Files.size(f) == job.videoBytes);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
