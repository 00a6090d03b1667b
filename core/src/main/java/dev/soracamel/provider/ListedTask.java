package dev.soracamel.provider;

import java.time.Instant;

/**
 * A task as a provider's list of recent tasks shows it, or as a job expects to find its own task there.
 * Values are normalised by the adapter (seconds as a string, whatever the gateway's wording), so that two of
 * them compare as plain strings.
 *
 * @param prompt    null when the list does not show prompts
 * @param createdAt null when the list does not say (or, for the expected task, unknown)
 */
public record ListedTask(String id, String model, String size, String seconds, String prompt, Instant createdAt) {
}
