package dev.soracamel.job;

import java.math.BigDecimal;
import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One submit that created, or may have created, a paid task, at the price table's estimate. Kept on the
 * job record, so the spend committed on a day is derived from the job store after any restart.
 *
 * @param at        when its POST left: the day the budget counted it against
 * @param amount    the estimate in the price table's currency; null when the model had no price
 *                  ({@code sora.prices.unpriced=allow})
 * @param taskId    the task it created; null when the answer never came
 * @param uncertain true when the answer never came: the task may exist, so it is counted as spent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Charge(Instant at, BigDecimal amount, String taskId, Boolean uncertain) {

    public Charge created(String task) {
        return new Charge(at, amount, task, null);
    }

    public Charge maybeCreated() {
        return new Charge(at, amount, null, true);
    }
}
