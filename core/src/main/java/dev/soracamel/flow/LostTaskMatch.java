package dev.soracamel.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import dev.soracamel.provider.ListedTask;

/**
 * Which listed task may be the one a lost submit created: the same model, size and seconds, the same prompt
 * where the list shows prompts, and created within the submit's window, from just before its POST left to the
 * lookup. The caller adopts a task only when exactly one matches: two alike tasks in one window (the customer
 * sent the same request twice, or another client of the account did) cannot be told apart, and adopting the
 * wrong one would store another job's video.
 */
final class LostTaskMatch {

    /**
     * How far outside the window a creation time may lie: providers give it in whole seconds, and their clock
     * is not ours.
     */
    static final Duration CLOCK_SLACK = Duration.ofSeconds(2);

    private LostTaskMatch() {
    }

    /**
     * @param from when the submit's POST left
     * @param to   when the page was read
     */
    static boolean matches(ListedTask expected, ListedTask listed, Instant from, Instant to) {
        if (listed.id() == null || listed.createdAt() == null) {
            return false; // a task that cannot be named or placed in time cannot be told to be ours
        }
        if (listed.createdAt().isBefore(from.minus(CLOCK_SLACK)) || listed.createdAt().isAfter(to.plus(CLOCK_SLACK))) {
            return false;
        }
        return Objects.equals(expected.model(), listed.model())
                && Objects.equals(expected.size(), listed.size())
                && Objects.equals(expected.seconds(), listed.seconds())
                && (listed.prompt() == null || listed.prompt().equals(expected.prompt()));
    }

    /** True when the list has gone past the window: older tasks cannot be the lost one. */
    static boolean olderThanWindow(ListedTask listed, Instant from) {
        return listed.createdAt() != null && listed.createdAt().isBefore(from.minus(CLOCK_SLACK));
    }
}
