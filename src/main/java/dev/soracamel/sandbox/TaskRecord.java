package dev.soracamel.sandbox;

/**
 * A snapshot of one sandbox task, for assertions. Times are real {@link System#currentTimeMillis()} values;
 * -1 means "not yet" for the times and for {@code finalStatus}.
 *
 * @param id                 the task id the provider answered
 * @param version            "2" or "2.pro"
 * @param prompt             the prompt as submitted, markers included
 * @param customerId         the submitted customer_id
 * @param createdAtMillis    when the task was created
 * @param finalAtMillis      when it reached its final status, -1 while active (always -1 for a stuck task)
 * @param finalStatus        2, 3 or 4 once final, else -1
 * @param checks             status GETs answered for this task
 * @param firstCheckAtMillis when the first of them arrived, -1 if none
 * @param downloadedAtMillis when the first successful download started, -1 if none
 * @param status             the status right now
 * @param earlyChecks        checks that came before the first-check minimum
 * @param downloads          downloads started with 200
 */
public record TaskRecord(long id, String version, String prompt, String customerId, long createdAtMillis,
                         long finalAtMillis, int finalStatus, int checks, long firstCheckAtMillis,
                         long downloadedAtMillis, int status, int earlyChecks, int downloads) {
}
