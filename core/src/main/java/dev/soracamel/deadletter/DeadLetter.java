package dev.soracamel.deadletter;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What goes beside a dead-lettered request as {@code <request_id>.error.json}: the code, the sentence a
 * person acts on, and everything known about how far the job got.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        String requestId,
        String code,
        String message,
        Integer httpStatus,
        String commentRu,
        String commentEn,
        String provider,
        String customerId,
        String taskId,
        Map<String, Integer> attempts,
        String source,
        Instant time,
        // what the job's submits are estimated to have cost (every task created, or maybe created); only
        // when a submit happened
        java.math.BigDecimal estimatedCost,
        String currency) {

    public static DeadLetter of(String requestId, String code, String message) {
        return new DeadLetter(requestId, code, message, null, null, null, null, null, null, null, null, Instant.now(),
                null, null);
    }
}
