package dev.soracamel.sandbox;

/**
 * A snapshot of one sandbox task, for assertions. Times are real {@link System#currentTimeMillis()} values;
 * -1 means "not yet" for the times and for {@code finalStatus}. Statuses of /v1/videos tasks use Yes Ai's
 * numbers: 0 queued, 1 in progress, 2 completed, 3 failed by moderation, 4 failed by timeout.
 *
 * @param id                 the sandbox-wide task number: the task id Yes Ai answered, also for /v1/videos tasks
 * @param version            "2" or "2.pro" for Yes Ai; the model for /v1/videos
 * @param prompt             the prompt as submitted, markers included
 * @param customerId         the submitted customer_id; null for /v1/videos
 * @param createdAtMillis    when the task was created
 * @param finalAtMillis      when it reached its final status, -1 while active (always -1 for a stuck task)
 * @param finalStatus        2, 3 or 4 once final, else -1
 * @param checks             status GETs answered for this task
 * @param firstCheckAtMillis when the first of them arrived, -1 if none
 * @param downloadedAtMillis when the first successful download started, -1 if none
 * @param status             the status right now
 * @param earlyChecks        checks that came before the first-check minimum
 * @param downloads          downloads started with 200
 * @param taskId             the id the API answered: the number for Yes Ai, {@code video_...} for /v1/videos
 * @param api                {@link #API_YESAI} or {@link #API_VIDEOS}
 */
public record TaskRecord(long id, String version, String prompt, String customerId, long createdAtMillis,
                         long finalAtMillis, int finalStatus, int checks, long firstCheckAtMillis,
                         long downloadedAtMillis, int status, int earlyChecks, int downloads, String taskId,
                         String api) {

    public static final String API_YESAI = "yesai";
    public static final String API_VIDEOS = "openai";
}
