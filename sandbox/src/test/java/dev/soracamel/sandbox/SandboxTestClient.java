package dev.soracamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A minimal, well-behaved Yes Ai client for the sandbox tests. Its paced calls keep 1.5 provider seconds
 * between the end of one call and the start of the next of the same kind, so the server sees arrivals at
 * least that far apart and no test trips the rate rule by accident; the {@code *Now} calls skip pacing.
 */
final class SandboxTestClient extends PacedTestClient {

    static final ObjectMapper JSON = new ObjectMapper();
    private long lastPostNanos;
    private long lastStatusNanos;

    SandboxTestClient(SandboxServer server, double timeScale, String token) {
        super(server, timeScale, token);
    }

    void token(String token) {
        this.token = token;
    }

    /** A valid "2" body; tests change single fields of it. */
    static Map<String, Object> validBody(String prompt) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", "2");
        body.put("prompt", prompt);
        body.put("resolution", 720);
        body.put("dimensions", "16:9");
        body.put("duration", 10);
        body.put("customer_id", "customer-1");
        return body;
    }

    Reply submit(String prompt) {
        return post(validBody(prompt));
    }

    Reply post(Map<String, Object> body) {
        return postRaw(json(body));
    }

    Reply postRaw(String body) {
        lastPostNanos = pace(lastPostNanos);
        try {
            return postNow(body);
        } finally {
            lastPostNanos = System.nanoTime();
        }
    }

    Reply postNow(String body) {
        return send(request(SubmitHandler.PATH).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Throws what the HTTP client throws, for tests of cut connections. */
    HttpResponse<String> postExpectingFailure(String body) throws IOException, InterruptedException {
        lastPostNanos = pace(lastPostNanos);
        try {
            return http.send(request(SubmitHandler.PATH).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } finally {
            lastPostNanos = System.nanoTime();
        }
    }

    Reply status(long id) {
        return statusPath(StatusHandler.PATH + "/" + id);
    }

    Reply statusPath(String path) {
        lastStatusNanos = pace(lastStatusNanos);
        try {
            return statusNow(path);
        } finally {
            lastStatusNanos = System.nanoTime();
        }
    }

    Reply statusNow(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<byte[]> download(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static String json(Object body) {
        try {
            return JSON.writeValueAsString(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Reply send(HttpRequest request) {
        HttpResponse<String> r = sendForText(request);
        try {
            return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One JSON answer of the API. */
    record Reply(int httpStatus, JsonNode body) {

        String message() {
            return body.path("message").asText(null);
        }

        JsonNode data() {
            return body.path("results").path("animation_data");
        }

        long id() {
            return data().path("id").asLong();
        }

        int taskStatus() {
            return data().path("status").asInt(-1);
        }

        @Override
        public String toString() {
            return httpStatus + " " + body;
        }
    }
}
