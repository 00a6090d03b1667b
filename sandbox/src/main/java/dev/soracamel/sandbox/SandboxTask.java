package dev.soracamel.sandbox;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated generation task, of either API. Its whole life is fixed at creation (queue time, generation
 * time, final status), and the status is derived from the clock when asked, so no timer threads are needed
 * and a task's history cannot drift from what its client observed.
 */
final class SandboxTask {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxTask.class);

    /** Interval the seed asks for between checks of one task after the first; informational only. */
    static final double RECHECK_INTERVAL_SECONDS = 20;
    /** Checks per task the seed allows. */
    static final int MAX_CHECKS = 60;

    static final String REJECT_COMMENT_RU = "Запрос отклонён модерацией: в промпте или на изображении-референсе "
            + "обнаружен фотореалистичный человек. Sora 2 не генерирует фотореалистичных людей и знаменитостей. "
            + "Измените промпт или изображение и попробуйте снова.";
    static final String REJECT_COMMENT_EN = "The request was rejected by moderation: the prompt or the reference "
            + "image shows a photorealistic person. Sora 2 does not generate photorealistic people or "
            + "celebrities. Change the prompt or the image and try again.";

    /**
     * When the task leaves the queue and ends, how it ends, and the check intervals its API asks for; all
     * in real nanoseconds after creation.
     *
     * @param finalNanos  creation to the final status; for a task that never ends, the time it would have
     *                    taken, so its progress still rises
     * @param finalStatus null for a task that never ends ({@code [sandbox:stuck]})
     */
    record Schedule(long queueNanos, long finalNanos, TaskStatus finalStatus, long firstCheckNanos,
                    long recheckNanos) {
    }

    /** Unique over the sandbox; Yes Ai's task id, and the name of the result link's file in both APIs. */
    final long id;
    /** The id its API answered: the number for Yes Ai, {@code video_<hex>} for /v1/videos. */
    final String apiId;
    /** The Yes Ai submit; null for a /v1/videos task. */
    final SubmitRequest request;
    /** The /v1/videos create; null for a Yes Ai task. */
    final VideoRequest video;
    final String customerId;
    /** The owning account's counters, for the token-less result link. */
    final SandboxStats stats;
    final long createdNanos;
    final long createdMillis;
    final Instant createdAt;
    private final long queueNanos;
    private final long finalNanos;
    final TaskStatus finalStatus;
    private final long firstCheckNanos;
    private final long recheckNanos;
    final String downloadToken;
    final long videoBytes;
    private boolean truncatePending;

    private int checks;
    private int earlyChecks;
    private long firstCheckAtMillis = -1;
    private long lastCheckNanos;
    private int downloads;
    private long downloadedAtMillis = -1;

    SandboxTask(long id, String apiId, SubmitRequest request, VideoRequest video, String customerId,
                SandboxStats stats, long createdNanos, long createdMillis, Schedule schedule,
                String downloadToken, long videoBytes, boolean truncateOnce) {
        this.id = id;
        this.apiId = apiId;
        this.request = request;
        this.video = video;
        this.customerId = customerId;
        this.stats = stats;
        this.createdNanos = createdNanos;
        this.createdMillis = createdMillis;
        this.createdAt = Instant.ofEpochMilli(createdMillis);
        this.queueNanos = schedule.queueNanos();
        this.finalNanos = schedule.finalNanos();
        this.finalStatus = schedule.finalStatus();
        this.firstCheckNanos = schedule.firstCheckNanos();
        this.recheckNanos = schedule.recheckNanos();
        this.downloadToken = downloadToken;
        this.videoBytes = videoBytes;
        this.truncatePending = truncateOnce;
    }

    TaskStatus statusAt(long nowNanos) {
        long elapsed = nowNanos - createdNanos;
        if (elapsed < queueNanos) {
            return TaskStatus.QUEUED;
        }
        if (finalStatus == null || elapsed < finalNanos) {
            return TaskStatus.IN_PROGRESS;
        }
        return finalStatus;
    }

    /** Real nanoTime at which the task reached its final status; only meaningful once it has. */
    long finalAtNanos() {
        return createdNanos + finalNanos;
    }

    /** Wall-clock millis of the final status; only meaningful once it was reached. */
    long finalAtMillis() {
        return createdMillis + Math.round(finalNanos / 1e6);
    }

    /** "2"/"2.pro" for Yes Ai, the model for /v1/videos. */
    String model() {
        return request != null ? request.version() : video.model().id;
    }

    String prompt() {
        return request != null ? request.prompt() : video.prompt();
    }

    /**
     * Percent done as /v1/videos reports it: 0 in the queue, rising linearly while generating, 100 when
     * completed. It stops at 99 short of the end, so a stuck or failing task never looks finished.
     */
    int progressAt(long nowNanos) {
        TaskStatus status = statusAt(nowNanos);
        if (status == TaskStatus.QUEUED) {
            return 0;
        }
        if (status == TaskStatus.COMPLETED) {
            return 100;
        }
        long span = finalNanos - queueNanos;
        long done = nowNanos - createdNanos - queueNanos;
        long percent = span <= 0 ? 99 : done * 100 / span;
        return (int) Math.max(0, Math.min(99, percent));
    }

    /** What one status check of this task was, as the provider's rules judge it. */
    record Check(int number, boolean early, boolean shortInterval) {
        boolean overLimit() {
            return number > MAX_CHECKS;
        }

        /** Counts the breaches of this check; the check is answered all the same, as the provider would. */
        void count(SandboxTask task, SandboxStats stats) {
            if (early) {
                stats.earlyCheck();
                LOG.info("breach: task {} checked before its first-check minimum", task.apiId);
            }
            if (overLimit()) {
                stats.checkOverLimit();
                LOG.info("breach: task {} checked {} times (limit {})", task.apiId, number, MAX_CHECKS);
            }
            if (shortInterval) {
                stats.shortRecheckInterval();
            }
        }
    }

    synchronized Check recordCheck(long nowNanos, long nowMillis) {
        checks++;
        boolean early = nowNanos - createdNanos < firstCheckNanos;
        if (early) {
            earlyChecks++;
        }
        boolean shortInterval = checks > 1 && nowNanos - lastCheckNanos < recheckNanos;
        if (checks == 1) {
            firstCheckAtMillis = nowMillis;
        }
        lastCheckNanos = nowNanos;
        return new Check(checks, early, shortInterval);
    }

    /** True exactly once for a {@code [sandbox:truncate-once]} task: that download is to be cut short. */
    synchronized boolean takeTruncate() {
        boolean truncate = truncatePending;
        truncatePending = false;
        return truncate;
    }

    synchronized void recordDownload(long nowMillis) {
        downloads++;
        if (downloadedAtMillis < 0) {
            downloadedAtMillis = nowMillis;
        }
    }

    synchronized TaskRecord toRecord(long nowNanos) {
        TaskStatus status = statusAt(nowNanos);
        boolean done = !status.active();
        return new TaskRecord(id, model(), prompt(), customerId, createdMillis, done ? finalAtMillis() : -1,
                done ? status.code : -1, checks, firstCheckAtMillis, downloadedAtMillis, status.code,
                earlyChecks, downloads, apiId, request != null ? TaskRecord.API_YESAI : TaskRecord.API_VIDEOS);
    }
}
