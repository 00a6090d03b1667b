package dev.soracamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal, well-behaved /v1/videos client for the sandbox tests. Like {@link SandboxTestClient} its paced
 * calls keep 1.5 provider seconds between calls of one kind, and the {@code *Now} calls skip pacing.
 */
final class VideosTestClient extends PacedTestClient {

    private long lastPostNanos;
    private long lastGetNanos;

    VideosTestClient(SandboxServer server, double timeScale, String token) {
        super(server, timeScale, token);
    }

    /** A valid sora-2 body as the spec writes it; tests change single fields of it. */
    static Map<String, Object> body(String prompt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", "sora-2");
        body.put("prompt", prompt);
        body.put("size", "1280x720");
        body.put("seconds", "4");
        return body;
    }

    Reply create(String prompt) {
        return create(body(prompt));
    }

    Reply create(Map<String, Object> body) {
        return createPaced(SandboxTestClient.json(body));
    }

    Reply createPaced(String json) {
        return createPacedAs(json, "application/json");
    }

    Reply createPacedAs(String json, String contentType) {
        lastPostNanos = pace(lastPostNanos);
        try {
            return createNow(json, contentType);
        } finally {
            lastPostNanos = System.nanoTime();
        }
    }

    Reply createNow(String json, String contentType) {
        HttpRequest.Builder b = request(VideosHandler.VIDEOS).POST(HttpRequest.BodyPublishers.ofString(json));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return send(b.build());
    }

    /** A create with an Idempotency-Key, paced like every create. */
    Reply createWithKey(Map<String, Object> body, String key) {
        lastPostNanos = pace(lastPostNanos);
        try {
            return send(request(VideosHandler.VIDEOS).header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(HttpRequest.BodyPublishers.ofString(SandboxTestClient.json(body))).build());
        } finally {
            lastPostNanos = System.nanoTime();
        }
    }

    /** GET /v1/videos with the given query (null: none), paced with the retrievals: they share one window. */
    Reply list(String query) {
        lastGetNanos = pace(lastGetNanos);
        try {
            return get(VideosHandler.VIDEOS + (query == null ? "" : "?" + query));
        } finally {
            lastGetNanos = System.nanoTime();
        }
    }

    Reply retrieve(String id) {
        lastGetNanos = pace(lastGetNanos);
        try {
            return retrieveNow(id);
        } finally {
            lastGetNanos = System.nanoTime();
        }
    }

    Reply retrieveNow(String id) {
        return send(request(VideosHandler.VIDEOS + "/" + id).GET().build());
    }

    /** Any GET on the server, with this client's token. */
    Reply get(String path) {
        return send(request(path).GET().build());
    }

    /** Not paced: downloads are not rate limited. */
    HttpResponse<byte[]> content(String id, String query) throws IOException, InterruptedException {
        String path = VideosHandler.VIDEOS + "/" + id + "/content" + (query == null ? "" : "?" + query);
        return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Polls, paced by the given provider seconds, until the video is no longer waiting. */
    Reply awaitFinal(String id, double everyProviderSeconds, int maxPolls) {
        Reply r = retrieve(id);
        for (int i = 0; i < maxPolls && r.waiting(); i++) {
            sleepUntilProviderSeconds(System.nanoTime(), everyProviderSeconds);
            r = retrieve(id);
        }
        return r;
    }

    Reply send(HttpRequest request) {
        HttpResponse<String> r = sendForText(request);
        try {
            return new Reply(r.statusCode(), r.body().isEmpty() ? null : SandboxTestClient.JSON.readTree(r.body()),
                    r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One JSON answer of the API. */
    record Reply(int httpStatus, JsonNode body, HttpHeaders headers) {

        String id() {
            return body.path("id").asText(null);
        }

        String status() {
            return body.path("status").asText(null);
        }

        boolean waiting() {
            return httpStatus == 200 && body.path("error").isNull() && !body.path("completed_at").isIntegralNumber()
                    && !"failed".equals(status());
        }

        JsonNode error() {
            return body.path("error");
        }

        String code() {
            return error().path("code").asText(null);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        @Override
        public String toString() {
            return httpStatus + " " + body;
        }
    }
}
