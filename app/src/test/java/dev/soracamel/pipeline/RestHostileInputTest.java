package dev.soracamel.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * POST /jobs from a careless or hostile client: bad input is a 4xx with a code and a sentence, never a 500 nor
 * an exception's text; JSON is recognised however its media type is spelled; and image links on a host that
 * drips its bytes cannot take the server's workers: liveness keeps answering while twenty such POSTs run.
 */
class RestHostileInputTest extends PipelineTestSupport {

    int port;
    /** Sends a valid PNG's headers at once, then a byte every half second. */
    static HttpServer drip;
    static int dripPort;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .executor(Executors.newCachedThreadPool()).build();

    @Override
    protected void configure(Properties p) {
        if (port == 0) {
            startDrip();
        }
        port = serveHttp(p);
        p.put("sora.intake.max-file-bytes", "65536");
        p.put("sora.validation.check-image", "true");
        p.put("sora.validation.image-timeout", "3s");
        p.put("sora.validation.image-max-concurrent", "4");
        p.put("sora.validation.image-allow", "127.0.0.1:" + dripPort);
    }

    static synchronized void startDrip() {
        if (drip != null) {
            return;
        }
        try {
            drip = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            drip.setExecutor(Executors.newCachedThreadPool());
            drip.createContext("/", ex -> {
                ex.sendResponseHeaders(200, 100_000);
                OutputStream out = ex.getResponseBody();
                try {
                    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
                    for (int i = 0; i < 120; i++) {
                        out.write(0);
                        out.flush();
                        Thread.sleep(500);
                    }
                } catch (IOException | InterruptedException e) {
                    // the client gave up
                }
                ex.close();
            });
            drip.start();
            dripPort = drip.getAddress().getPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stopDrip() {
        if (drip != null) {
            drip.stop(0);
            drip = null;
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> post(String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri("/jobs")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String body) throws Exception {
        return post("application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    static void noInternals(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isNotEqualTo(500);
        assertThat(r.body()).doesNotContain("Exception", "java.", "com.fasterxml", "at dev.soracamel");
    }

    @Test
    void json_is_recognised_in_any_case_and_with_parameters() throws Exception {
        int n = 0;
        for (String type : List.of("APPLICATION/JSON", "application/json; charset=UTF-8", "Application/Json ;charset=utf-8",
                "application/problem+json")) {
            HttpResponse<String> r = post(type, v2("A cat on a sunny beach", "web-" + n++).getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(type).isEqualTo(202);
        }
        for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/jsonx")) {
            HttpResponse<String> r = post(type, v2("A cat on a sunny beach", "web").getBytes(StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(type).isEqualTo(415);
            assertThat(json(r).path("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
        }
        assertThat(post(null, v2("A cat on a sunny beach", "web").getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(415);
    }

    @Test
    void parser_failures_are_400_malformed_json_with_a_reason() throws Exception {
        String ok = v2("A cat on a sunny beach", "web");
        for (String[] c : new String[][] {
                {ok + "\n" + ok, "more than one JSON value"},
                {"{\"a\":".repeat(3000) + "1" + "}".repeat(3000), "nested deeper"},
                {ok.replace("\"duration\": 10", "\"duration\": " + "9".repeat(1000)), "number longer"},
                {ok.replace("\"duration\": 10", "\"duration\": 10, \"duration\": 15"), "given twice"}}) {
            HttpResponse<String> r = post(c[0]);
            noInternals(r);
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(json(r).path("code").asText()).isEqualTo("MALFORMED_JSON");
            assertThat(json(r).path("message").asText()).contains(c[1]);
        }
        HttpResponse<String> latin1 = post("application/json", ok.replace("cat", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1));
        assertThat(latin1.statusCode()).isEqualTo(400);
        assertThat(json(latin1).path("message").asText()).contains("not UTF-8");
        HttpResponse<String> wrapped = post(ok.replace("\"duration\": 10", "\"duration\": 4294967306"));
        assertThat(json(wrapped).path("code").asText()).isEqualTo("DURATION_NOT_VALID");
        assertThat(board().queries().all()).isEmpty();
        assertThat(sandbox().stats().posts()).isZero();
    }

    /** Seeded generated bodies: none is answered 500 or with an exception's text. */
    @Test
    void no_generated_body_gets_a_500() throws Exception {
        Random random = new Random(4242);
        String[] parts = {"{", "}", "[", "]", ",", ":", "\"", "\"version\"", "\"2\"", "720", "4294967306", "null",
                "\"prompt\"", "\"a b\"", "\\u0000", "\u00a0", "\"request_id\"", "\"../x\"", "\"image_url\"",
                "\"HTTP://x\"", "9".repeat(80), "{\"a\":"};
        for (int n = 0; n < 120; n++) {
            StringBuilder sb = new StringBuilder();
            for (int i = random.nextInt(30); i > 0; i--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            byte[] body = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(8) == 0 && body.length > 0) {
                body[random.nextInt(body.length)] = (byte) random.nextInt(256);
            }
            HttpResponse<String> r = post("application/json", body);
            noInternals(r);
            assertThat(r.statusCode()).as(sb.toString()).isIn(200, 202, 400, 413);
        }
    }

    @Test
    void dripping_image_hosts_cannot_stop_liveness_from_answering() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String req = v2("A slow picture number " + i, "slow").replace("}",
                    ", \"image_url\": \"http://127.0.0.1:" + dripPort + "/p" + i + ".png\"}");
            posts.add(http.sendAsync(HttpRequest.newBuilder(uri("/jobs")).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(req)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        Thread.sleep(500);
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(uri("/observe/health/live"))
                    .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("liveness answer " + i)
                    .isLessThan(Duration.ofSeconds(2));
            Thread.sleep(300);
        }
        int busy = 0;
        for (CompletableFuture<HttpResponse<String>> f : posts) {
            HttpResponse<String> r = f.get();
            noInternals(r);
            String code = json(r).path("code").asText();
            assertThat(code).isIn("IMAGE_NOT_FOUND", "IMAGE_CHECK_BUSY");
            if (code.equals("IMAGE_CHECK_BUSY")) {
                busy++;
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            } else {
                assertThat(r.statusCode()).isEqualTo(400);
                assertThat(json(r).path("message").asText()).contains("did not arrive whole");
            }
        }
        assertThat(busy).as("at most 4 checks ran at once").isGreaterThanOrEqualTo(16);
        assertThat(sandbox().stats().posts()).isZero();
    }
}
