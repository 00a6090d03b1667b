package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v2/yesvideo/aniimage/sora}: the rules of a submit, answered in a fixed order, first failure
 * wins. Authentication comes before the rate window because the limit belongs to an account, and a request
 * without a valid token belongs to none.
 */
final class SubmitHandler extends ApiHandler {

    static final String PATH = "/v2/yesvideo/aniimage/sora";
    private static final Logger LOG = LoggerFactory.getLogger(SubmitHandler.class);

    private final SandboxState state;
    private final ImageProbe images;

    SubmitHandler(SandboxState state, ImageProbe images) {
        this.state = state;
        this.images = images;
    }

    @Override
    void handleApi(HttpExchange exchange) throws ApiException, IOException {
        if (!exchange.getRequestURI().getRawPath().equals(PATH)) {
            throw new ApiException(ApiError.NOT_FOUND);
        }
        if (!"POST".equals(exchange.getRequestMethod())) {
            throw new ApiException(ApiError.METHOD_NOT_ALLOWED);
        }
        long now = state.clock.nowNanos();
        SandboxAccount account = state.authorized(exchange.getRequestHeaders().getFirst("Authorization"));
        if (account == null) {
            state.stats.post();
            throw new ApiException(ApiError.UNAUTHORIZED);
        }
        account.stats.post();
        if (account.postWindow.arriveIsBreach(now)) {
            account.stats.postRateBreach();
            LOG.info("breach: POST less than 1 provider second after the previous POST");
            throw new ApiException(ApiError.TOO_MANY_REQUESTS);
        }
        ApiError injected = account.postFailures.take();
        if (injected != null) {
            throw new ApiException(injected);
        }
        byte[] body = HttpIo.readBody(exchange);
        if (body.length > HttpIo.MAX_REQUEST_BODY) {
            throw new ApiException(ApiError.PARAMETERS_IS_NOT_ALLOWED);
        }
        SubmitRequest request = SubmitValidator.parse(body);
        if (request.imageUrl() != null) {
            images.check(request.imageUrl());
        }
        String customerId = SubmitValidator.customerId(request.customerId());
        PromptMarkers.checkFilters(request.prompt());
        SandboxTask task;
        try {
            task = state.createYesAi(account, request, customerId);
        } catch (SandboxAccount.Refused r) {
            throw new ApiException(r.noCredit ? ApiError.NOT_ENOUGH_RPOINTS : ApiError.TASK_LIMIT_EXCEEDED);
        }
        if (account.takeDropPostResponse()) {
            LOG.info("task {} created; dropping its response on purpose", task.id);
            throw HttpIo.abortConnection("dropNextPostResponses");
        }
        switch (PromptMarkers.createAnswer(request.prompt())) {
            case DROP -> {
                LOG.info("task {} created; dropping its response as its prompt asks", task.id);
                throw HttpIo.abortConnection("[sandbox:lose-answer]");
            }
            case BAD_GATEWAY -> {
                LOG.info("task {} created; answering 502 as its prompt asks", task.id);
                HttpIo.sendText(exchange, 502, "<html><head><title>502 Bad Gateway</title></head><body>"
                        + "<center><h1>502 Bad Gateway</h1></center></body></html>");
                return;
            }
            default -> {
            }
        }
        HttpIo.sendJson(exchange, 200, AnimationJson.created(task));
    }
}
