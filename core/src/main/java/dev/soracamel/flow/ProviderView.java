package dev.soracamel.flow;

import java.time.Instant;

/**
 * One provider's live figures at one moment, for health checks and metrics.
 *
 * @param queued      jobs waiting for a slot and a submit
 * @param polling     tasks the provider is working on, waiting for their next status check
 * @param active      active-task slots held (jobs submitting or polling, and slots still counted for a
 *                    submit whose answer never came)
 * @param limit       the provider's active-task limit (its tariff)
 * @param pauseCode   why the provider is paused (UNAUTHORIZED, NOT_ENOUGH_RPOINTS...), or null
 * @param pausedSince when that pause began, or null
 */
public record ProviderView(String name, int queued, int polling, int active, int limit,
                           String pauseCode, String pauseMessage, Instant pausedSince) {

    public boolean paused() {
        return pauseCode != null;
    }
}
