package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /v2/yesvideo/animations/{id}}. Early checks and checks past the 60th are counted but still
 * answered normally: the real service would answer them too, the breach is the client's.
 */
final class StatusHandler extends ApiHandler {

    static final String PATH = "/v2/yesvideo/animations";
    private static final Logger LOG = LoggerFactory.getLogger(StatusHandler.class);

    private final SandboxState state;
    private final Supplier<String> baseUrl;

    StatusHandler(SandboxState state, Supplier<String> baseUrl) {
        this.state = state;
        this.baseUrl = baseUrl;
    }

    @Override
    void handleApi(HttpExchange exchange) throws ApiException, IOException {
        String rest = exchange.getRequestURI().getRawPath().substring(PATH.length());
        if (!rest.isEmpty() && !rest.startsWith("/")) {
            throw new ApiException(ApiError.NOT_FOUND);
        }
        if (!"GET".equals(exchange.getRequestMethod())) {
            throw new ApiException(ApiError.METHOD_NOT_ALLOWED);
        }
        long now = state.clock.nowNanos();
        SandboxAccount account = state.authorized(exchange.getRequestHeaders().getFirst("Authorization"));
        if (account == null) {
            state.stats.statusCheck();
            throw new ApiException(ApiError.UNAUTHORIZED);
        }
        account.stats.statusCheck();
        if (account.statusWindow.arriveIsBreach(now)) {
            account.stats.statusRateBreach();
            LOG.info("breach: status GET less than 1 provider second after the previous one");
            throw new ApiException(ApiError.TOO_MANY_REQUESTS);
        }
        ApiError injected = account.statusFailures.take();
        if (injected != null) {
            throw new ApiException(injected);
        }
        // Another account's task is unknown here, as it would be at the provider.
        SandboxTask task = account.find(Long.toString(parseId(rest.isEmpty() ? "" : rest.substring(1))));
        if (task == null || task.request == null) {
            throw new ApiException(ApiError.ID_NOT_FOUND);
        }
        task.recordCheck(now, System.currentTimeMillis()).count(task, account.stats);
        HttpIo.sendJson(exchange, 200, AnimationJson.status(task, task.statusAt(now), baseUrl.get()));
    }

    /** A positive integer; one too long for a long is well-formed but can be no task of ours. */
    private static long parseId(String id) throws ApiException {
        if (id.isEmpty()) {
            throw new ApiException(ApiError.ID_IS_EMPTY);
        }
        if (!id.matches("[0-9]+") || id.matches("0+")) {
            throw new ApiException(ApiError.ID_NOT_VALID);
        }
        String digits = id.replaceFirst("^0+", "");
        if (digits.length() > 18) {
            throw new ApiException(ApiError.ID_NOT_FOUND);
        }
        return Long.parseLong(digits);
    }
}
