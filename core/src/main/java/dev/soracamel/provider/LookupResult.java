package dev.soracamel.provider;

import java.time.Duration;
import java.util.List;

/**
 * One page of the provider's list of recent tasks, read to find the task of a submit whose answer was lost,
 * or why the page could not be read.
 *
 * @param tasks   newest first, as asked
 * @param hasMore the provider has older tasks after this page
 * @param lastId  the cursor for the next page ({@code after})
 */
public record LookupResult(Kind kind, List<ListedTask> tasks, boolean hasMore, String lastId, String code,
                           String message, int httpStatus, Duration providerWait) {

    public enum Kind {
        /** A page was read. */
        PAGE,
        /** A passing failure (429, 5xx, timeout): look again after a backoff. */
        RETRY,
        /** The token was refused: pause the account, look again after the pause. */
        PAUSE,
        /** The provider has no such list, or answered something unreadable: the task cannot be looked up. */
        UNAVAILABLE
    }

    public static LookupResult page(List<ListedTask> tasks, boolean hasMore, String lastId) {
        return new LookupResult(Kind.PAGE, List.copyOf(tasks), hasMore, lastId, null, null, 200, null);
    }

    public static LookupResult error(Kind kind, String code, String message, int httpStatus, Duration wait) {
        return new LookupResult(kind, List.of(), false, null, code, message, httpStatus, wait);
    }
}
