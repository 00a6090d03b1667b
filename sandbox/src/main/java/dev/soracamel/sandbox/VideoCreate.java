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
 * failure, body, idempotency key, moderation, credit, active-task limit. As for Yes Ai the token comes before
 * the rate window, since the limit belongs to an account and a request without a valid token belongs to none.
 * <p>
 * The OPENAI dialect honours {@code Idempotency-Key} as the IETF draft describes it: a create that made a
 * video is remembered under its key, and a later create with the key and the same body is answered with that
 * video, creating and charging nothing; the key with another body is refused (422), and while the first create
 * is still under way the key conflicts (409). A create that made nothing (refused, blocked) leaves the key
 * free. The GATEWAY dialect ignores the header, as a gateway that does not document it may.
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
        SandboxAccount account = VideosDoor.CREATE.admit(state, exchange, now);
        byte[] body = HttpIo.readBody(exchange, MAX_BODY);
        if (body.length > MAX_BODY) {
            throw new OpenAiException(new OpenAiError(413, OpenAiError.INVALID_REQUEST, null, "request_too_large",
                    "The request body is too large.", Map.of()));
        }
        requireJson(exchange.getRequestHeaders().getFirst("Content-Type"));
        VideoRequest request = VideoValidator.parse(body);
        String key = account.dialect == Dialect.OPENAI ? idempotencyKey(exchange) : null;
        if (key != null) {
            SandboxAccount.Remembered earlier = account.remember(key, digest(body));
            if (earlier != null) {
                replay(exchange, account, earlier, digest(body), now);
                return;
            }
        }
        SandboxTask task = null;
        try {
            if (PromptMarkers.moderationBlocked(request.prompt())) {
                throw new OpenAiException(OpenAiError.moderationBlocked());
            }
            try {
                task = state.createVideo(account, request);
            } catch (SandboxAccount.Refused r) {
                throw new OpenAiException(r.noCredit ? OpenAiError.insufficientQuota()
                        : OpenAiError.concurrencyLimit(account.activeTaskLimit()));
            }
        } finally {
            if (key != null) {
                account.remembered(key, task);
            }
        }
        if (account.takeDropPostResponse()) {
            LOG.info("video {} created; dropping its response on purpose", task.apiId);
            throw HttpIo.abortConnection("dropNextPostResponses");
        }
        switch (PromptMarkers.createAnswer(request.prompt())) {
            case DROP -> {
                LOG.info("video {} created; dropping its response as its prompt asks", task.apiId);
                throw HttpIo.abortConnection("[sandbox:lose-answer]");
            }
            case BAD_GATEWAY -> {
                LOG.info("video {} created; answering 502 as its prompt asks", task.apiId);
                HttpIo.sendText(exchange, 502, "<html><head><title>502 Bad Gateway</title></head><body>"
                        + "<center><h1>502 Bad Gateway</h1></center></body></html>");
                return;
            }
            default -> {
            }
        }
        HttpIo.sendJson(exchange, 200,
                VideoJson.video(state, task, account.dialect, TaskStatus.QUEUED, now, baseUrl.get()),
                VideoRetrieve.pollAfter(state, account.dialect));
    }

    /** The header's value, or null when none was sent; a blank or overlong one is refused. */
    private static String idempotencyKey(HttpExchange exchange) throws OpenAiException {
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > 255) {
            throw new OpenAiException(OpenAiError.invalid(null, "invalid_idempotency_key",
                    "The Idempotency-Key header must be 1 to 255 characters."));
        }
        return key;
    }

    /** The earlier create's video, as it is now; or why the key cannot be used for this request. */
    private void replay(HttpExchange exchange, SandboxAccount account, SandboxAccount.Remembered earlier,
                        String digest, long now) throws OpenAiException, IOException {
        if (!earlier.bodyDigest.equals(digest)) {
            throw new OpenAiException(new OpenAiError(422, OpenAiError.INVALID_REQUEST, null,
                    "idempotency_key_reused", "This Idempotency-Key was used with a different request body. "
                    + "Use a new key for a new request.", Map.of()));
        }
        SandboxTask task = earlier.task;
        if (task == null) {
            throw new OpenAiException(new OpenAiError(409, OpenAiError.INVALID_REQUEST, null,
                    "idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. "
                    + "Retry later.", Map.of()));
        }
        account.stats.idempotentReplay();
        LOG.info("create with a known Idempotency-Key: answering video {} again, creating nothing", task.apiId);
        Map<String, String> headers = new java.util.LinkedHashMap<>(VideoRetrieve.pollAfter(state, account.dialect));
        headers.put("Idempotent-Replayed", "true");
        HttpIo.sendJson(exchange, 200,
                VideoJson.video(state, task, account.dialect, task.statusAt(now), now, baseUrl.get()), headers);
    }

    private static String digest(byte[] body) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
