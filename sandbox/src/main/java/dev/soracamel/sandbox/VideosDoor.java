package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every {@code /v1/videos} call meets before it is handled, in the provider's order: the token (a refused
 * one is counted but touches no account), then the account's rate window for its kind of call (a POST, or any
 * GET of the account, retrievals and lists sharing one window), then a failure a test injected.
 */
enum VideosDoor {

    CREATE("POST /v1/videos", "video creations"),
    RETRIEVE("GET /v1/videos/{id}", "video retrievals"),
    LIST("GET /v1/videos", "video retrievals");

    private static final Logger LOG = LoggerFactory.getLogger(VideosDoor.class);

    private final String call;
    private final String limited;

    VideosDoor(String call, String limited) {
        this.call = call;
        this.limited = limited;
    }

    /** @return the caller's account, once the call got through */
    SandboxAccount admit(SandboxState state, HttpExchange exchange, long now) throws OpenAiException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        SandboxAccount account = state.authorized(auth);
        count(account == null ? state.stats : account.stats);
        if (account == null) {
            throw new OpenAiException(OpenAiError.invalidApiKey(auth != null));
        }
        RateWindow window = this == CREATE ? account.postWindow : account.statusWindow;
        if (window.arriveIsBreach(now)) {
            if (this == CREATE) {
                account.stats.postRateBreach();
            } else {
                account.stats.statusRateBreach();
            }
            LOG.info("breach: {} less than 1 provider second after the previous {}", call,
                    this == CREATE ? "POST" : "GET of the account");
            throw new OpenAiException(OpenAiError.rateLimited(limited, window.gapNanos()));
        }
        ApiError injected = (this == CREATE ? account.postFailures : account.statusFailures).take();
        if (injected != null) {
            throw new OpenAiException(OpenAiError.injected(injected, window.gapNanos()));
        }
        return account;
    }

    private void count(SandboxStats stats) {
        switch (this) {
            case CREATE -> stats.post();
            case RETRIEVE -> stats.statusCheck();
            case LIST -> stats.videoList();
        }
    }
}
