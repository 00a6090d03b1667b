package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /v1/videos}, answered in a fixed order, first failure wins: token, rate window, injected
 * failure, body, moderation, credit, active-task limit. As for Yes Ai the token comes before the rate
 * window, since the limit belongs to an account and a request without a valid token belongs to none.
 */
final class VideoCreate {

    /** A data URL may carry an image of up to the spec's 20 MiB in the body. */
    static final int MAX_BODY = 24 * 1024 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(VideoCreate.class);

    private final SandboxState state;
    private final Supplier<String> baseUrl;

    VideoCreate(SandboxState state, Supplier<String> baseUrl) {
        this.state = state;
        this.baseUrl = baseUrl;
    }

    void handle(HttpExchange exchange) throws OpenAiException, IOException {
        long now = state.clock.nowNanos();
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        SandboxAccount account = state.authorized(auth);
        if (account == null) {
            state.stats.post();
            throw new OpenAiException(OpenAiError.invalidApiKey(auth != null));
        }
        account.stats.post();
        if (account.postWindow.arriveIsBreach(now)) {
            account.stats.postRateBreach();
            LOG.info("breach: POST /v1/videos less than 1 provider second after the previous POST");
            throw new OpenAiException(OpenAiError.rateLimited("video creations", account.postWindow.gapNanos()));
        }
        ApiError injected = account.postFailures.take();
        if (injected != null) {
            throw new OpenAiException(OpenAiError.injected(injected, account.postWindow.gapNanos()));
        }
        byte[] body = HttpIo.readBody(exchange, MAX_BODY);
        if (body.length > MAX_BODY) {
            throw new OpenAiException(new OpenAiError(413, OpenAiError.INVALID_REQUEST, null, "request_too_large",
                    "The request body is too large.", Map.of()));
        }
        requireJson(exchange.getRequestHeaders().getFirst("Content-Type"));
        VideoRequest request = VideoValidator.parse(body);
        if (PromptMarkers.moderationBlocked(request.prompt())) {
            throw new OpenAiException(OpenAiError.moderationBlocked());
        }
        SandboxTask task;
        try {
            task = state.createVideo(account, request);
        } catch (SandboxAccount.Refused r) {
            throw new OpenAiException(r.noCredit ? OpenAiError.insufficientQuota()
                    : OpenAiError.concurrencyLimit(account.activeTaskLimit()));
        }
        if (account.takeDropPostResponse()) {
            LOG.info("video {} created; dropping its response on purpose", task.apiId);
            throw HttpIo.abortConnection("dropNextPostResponses");
        }
        HttpIo.sendJson(exchange, 200,
                VideoJson.video(state, task, account.dialect, TaskStatus.QUEUED, now, baseUrl.get()),
                VideoRetrieve.pollAfter(state, account.dialect));
    }

    /** The multipart form of the spec is not simulated; a client of this pipeline has no reason to send it. */
    private static void requireJson(String contentType) throws OpenAiException {
        String type = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json")) {
            throw new OpenAiException(OpenAiError.invalid(null, null, "Unsupported content type: '"
                    + (contentType == null ? "" : contentType) + "'. This endpoint expects 'application/json' "
                    + "(multipart/form-data is not simulated by the sandbox)."));
        }
    }
}
