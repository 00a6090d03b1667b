package dev.soracamel.sandbox;

import java.time.Instant;

/**
 * One simulated generation task. Its whole life is fixed at creation (queue time, generation time, final
 * status), and the status is derived from the clock when asked, so no timer threads are needed and a
 * task's history cannot drift from what its client observed.
 */
final class SandboxTask {

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

    final long id;
    final SubmitRequest request;
    final String customerId;
    final long createdNanos;
    final long createdMillis;
    final Instant createdAt;
    private final long queueNanos;
    /** Real nanoseconds from creation to the final status; unused when {@code finalStatus} is null. */
    private final long finalNanos;
    /** Null for a task that never ends ({@code [sandbox:stuck]}). */
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

    SandboxTask(long id, SubmitRequest request, String customerId, long createdNanos, long createdMillis,
                long queueNanos, long finalNanos, TaskStatus finalStatus, long firstCheckNanos, long recheckNanos,
                String downloadToken, long videoBytes, boolean truncateOnce) {
        this.id = id;
        this.request = request;
        this.customerId = customerId;
        this.createdNanos = createdNanos;
        this.createdMillis = createdMillis;
        this.createdAt = Instant.ofEpochMilli(createdMillis);
        this.queueNanos = queueNanos;
        this.finalNanos = finalNanos;
        this.finalStatus = finalStatus;
        this.firstCheckNanos = firstCheckNanos;
        this.recheckNanos = recheckNanos;
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

    /** What one status check of this task was, as the provider's rules judge it. */
    record Check(int number, boolean early, boolean shortInterval) {
        boolean overLimit() {
            return number > MAX_CHECKS;
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
        long finalAtMillis = done ? createdMillis + Math.round(finalNanos / 1e6) : -1;
        return new TaskRecord(id, request.version(), request.prompt(), customerId, createdMillis, finalAtMillis,
                done ? status.code : -1, checks, firstCheckAtMillis, downloadedAtMillis, status.code,
                earlyChecks, downloads);
    }
}
