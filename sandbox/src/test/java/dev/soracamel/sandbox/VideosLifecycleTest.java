package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.sandbox.VideosTestClient.Reply;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A /v1/videos job's life in both dialects, its content, and the prompt markers that bend it. */
class VideosLifecycleTest {

    /**
     * One provider second lasts 10 ms: a sora-2 job (81-99 s with jitter) ends within a second; the poll
     * interval is the API's advice of 10 provider seconds.
     */
    private static final double SCALE = 0.01;
    private static final double POLL = 10;

    private SandboxServer server;
    private VideosTestClient openai;
    private VideosTestClient gateway;
    private byte[] sample;

    @BeforeEach
    void start() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(10)
                .account("gateway-token", 10, Dialect.GATEWAY));
        openai = new VideosTestClient(server, SCALE, "sandbox-token");
        gateway = new VideosTestClient(server, SCALE, "gateway-token");
        try (InputStream in = getClass().getResourceAsStream("/sandbox/sample.mp4")) {
            sample = in.readAllBytes();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void openAiDialectGoesFromQueuedToContent() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        Reply created = openai.create("A red fox runs through snow");
        long t0 = System.nanoTime();
        assertThat(created.httpStatus()).as(created.toString()).isEqualTo(200);
        JsonNode v = created.body();
        assertThat(created.id()).matches("video_[0-9a-f]{48}");
        assertThat(v.path("object").asText()).isEqualTo("video");
        assertThat(v.path("model").asText()).isEqualTo("sora-2");
        assertThat(created.status()).isEqualTo("queued");
        assertThat(v.path("progress").isInt()).isTrue();
        assertThat(v.path("progress").asInt()).isZero();
        assertThat(v.path("created_at").isIntegralNumber()).isTrue();
        assertThat(v.path("created_at").asLong()).isBetween(before, before + 5);
        assertThat(v.path("size").asText()).isEqualTo("1280x720");
        assertThat(v.path("seconds").isTextual()).as("seconds is a string").isTrue();
        assertThat(v.path("seconds").asText()).isEqualTo("4");
        assertThat(v.has("duration")).isFalse();
        assertThat(v.path("prompt").asText()).isEqualTo("A red fox runs through snow");
        for (String nullField : new String[] {"completed_at", "expires_at", "error", "remixed_from_video_id"}) {
            assertThat(v.has(nullField) && v.get(nullField).isNull()).as(nullField).isTrue();
        }
        assertThat(created.header("openai-poll-after-ms")).isEqualTo("100");

        // No content before completion, and none without the token.
        HttpResponse<byte[]> early = openai.content(created.id(), null);
        assertThat(early.statusCode()).isEqualTo(404);
        assertThat(json(early).path("error").path("code").asText()).isEqualTo("video_not_ready");

        openai.sleepUntilProviderSeconds(t0, 31); // the sora-2 first-check minimum has passed
        List<String> seen = new ArrayList<>();
        List<Integer> progress = new ArrayList<>();
        Reply r = openai.retrieve(created.id());
        while (r.waiting() && seen.size() < 20) {
            seen.add(r.status());
            progress.add(r.body().path("progress").asInt());
            assertThat(r.header("openai-poll-after-ms")).isEqualTo("100");
            openai.sleepUntilProviderSeconds(System.nanoTime(), POLL);
            r = openai.retrieve(created.id());
        }
        assertThat(seen).isNotEmpty().containsOnly("in_progress");
        assertThat(progress).isSorted().allMatch(p -> p > 0 && p < 100);
        assertThat(r.status()).isEqualTo("completed");
        assertThat(r.body().path("progress").asInt()).isEqualTo(100);
        long completedAt = r.body().path("completed_at").asLong();
        assertThat(completedAt).isGreaterThanOrEqualTo(v.path("created_at").asLong());
        // 3600 provider seconds of link lifetime are 36 real seconds here.
        assertThat(r.body().path("expires_at").asLong()).isBetween(completedAt + 35, completedAt + 37);
        assertThat(r.header("openai-poll-after-ms")).isNull();
        assertThat(r.body().has("video_url")).isFalse();

        HttpResponse<byte[]> video = openai.content(created.id(), "variant=video");
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(video.headers().firstValueAsLong("Content-Length")).hasValue(sample.length);
        assertThat(video.body()).isEqualTo(sample);
        HttpResponse<byte[]> noToken = openai.http.send(HttpRequest.newBuilder(URI.create(
                server.baseUrl() + "/v1/videos/" + created.id() + "/content")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(noToken.statusCode()).isEqualTo(401);
        assertThat(json(noToken).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        // Another account's valid token finds no such video, as at OpenAI.
        assertThat(gateway.content(created.id(), null).statusCode()).isEqualTo(404);
        assertThat(openai.content(created.id(), "variant=thumbnail").statusCode()).isEqualTo(404);
        assertThat(openai.content(created.id(), "variant=poster").statusCode()).isEqualTo(400);

        SandboxStats stats = server.stats();
        assertThat(stats.breaches()).isZero();
        assertThat(stats.downloads()).isEqualTo(1);
        TaskRecord task = stats.tasks().get(0);
        assertThat(task.taskId()).isEqualTo(created.id());
        assertThat(task.api()).isEqualTo(TaskRecord.API_VIDEOS);
        assertThat(task.version()).isEqualTo("sora-2");
        assertThat(task.finalStatus()).isEqualTo(2);
        assertThat(task.finalAtMillis() - task.createdAtMillis()).isGreaterThanOrEqualTo((long) (30 * 1000 * SCALE));
    }

    @Test
    void gatewayDialectWordsTheSameJobItsOwnWay() throws Exception {
        Map<String, Object> body = VideosTestClient.body("A paper boat on a rainy street");
        body.put("seconds", "8");
        Reply created = gateway.create(body);
        long t0 = System.nanoTime();
        assertThat(created.httpStatus()).as(created.toString()).isEqualTo(200);
        assertThat(created.status()).isEqualTo("pending");
        assertThat(created.body().path("duration").isInt()).as("duration is an integer").isTrue();
        assertThat(created.body().path("duration").asInt()).isEqualTo(8);
        assertThat(created.body().has("seconds")).isFalse();
        assertThat(created.body().path("video_url").isNull()).isTrue();
        assertThat(created.header("openai-poll-after-ms")).isNull();

        gateway.sleepUntilProviderSeconds(t0, 31);
        Reply waiting = gateway.retrieve(created.id());
        assertThat(waiting.status()).isEqualTo("processing");
        Reply done = gateway.awaitFinal(created.id(), POLL, 20);
        assertThat(done.status()).isEqualTo("succeeded");
        String url = done.body().path("video_url").asText();
        assertThat(url).startsWith(server.baseUrl() + "/sandbox/files/");
        assertThat(done.body().path("video").path("url").asText()).isEqualTo(url);

        // The link is a CDN-like one: no bearer token needed; /content works as well.
        HttpResponse<byte[]> viaLink = gateway.http.send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(viaLink.statusCode()).isEqualTo(200);
        assertThat(viaLink.body()).isEqualTo(sample);
        assertThat(gateway.content(created.id(), null).statusCode()).isEqualTo(200);
        assertThat(server.stats("gateway-token").downloads()).isEqualTo(2);
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void markersEndJobsAsFailedOrBlockThemAtCreate() throws Exception {
        Reply blocked = openai.create("A portrait of a famous actor [sandbox:moderation]");
        assertThat(blocked.httpStatus()).isEqualTo(400);
        assertThat(blocked.code()).isEqualTo("moderation_blocked");
        assertThat(blocked.error().path("type").asText()).isEqualTo("invalid_request_error");

        String rejected = openai.create("A portrait of a famous actor [sandbox:reject]").id();
        String timeout = openai.create("A slow sunset [sandbox:timeout]").id();
        String stuck = openai.create("A render that never ends [sandbox:stuck]").id();
        String gatewayRejected = gateway.create("A famous actor again [sandbox:reject]").id();
        openai.sleepUntilProviderSeconds(System.nanoTime(), 100); // past the longest jittered generation

        Reply r = openai.retrieve(rejected);
        assertThat(r.status()).isEqualTo("failed");
        assertThat(r.code()).isEqualTo("moderation_blocked");
        assertThat(r.error().path("message").asText()).contains("moderation");
        assertThat(r.body().path("completed_at").isNull()).isTrue();
        Reply t = openai.retrieve(timeout);
        assertThat(t.status()).isEqualTo("failed");
        assertThat(t.code()).isEqualTo("timeout");
        Reply s = openai.retrieve(stuck);
        assertThat(s.status()).isEqualTo("in_progress");
        assertThat(s.body().path("progress").asInt()).isEqualTo(99);
        Reply g = gateway.retrieve(gatewayRejected);
        assertThat(g.status()).isEqualTo("failed");
        assertThat(g.code()).isEqualTo("moderation_blocked");
        assertThat(g.body().path("video_url").isNull()).isTrue();
        assertThat(openai.content(rejected, null).statusCode()).isEqualTo(404);

        assertThat(server.stats().tasks()).extracting(TaskRecord::finalStatus).containsExactly(3, 4, -1, 3);
        assertThat(server.stats().tasksCreated()).isEqualTo(4);
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void checksBeforeTheModelsMinimumAreCountedButAnswered() {
        Reply fast = openai.create("A neon city at night");
        Map<String, Object> body = VideosTestClient.body("A neon city at night, in detail");
        body.put("model", "sora-2-pro");
        body.put("size", "1792x1024");
        Reply pro = openai.create(body);
        long t0 = System.nanoTime();
        assertThat(openai.retrieve(fast.id()).httpStatus()).isEqualTo(200);
        assertThat(server.stats().earlyChecks()).isEqualTo(1);

        openai.sleepUntilProviderSeconds(t0, 40); // fine for sora-2, early for sora-2-pro
        assertThat(openai.retrieve(fast.id()).httpStatus()).isEqualTo(200);
        Reply proEarly = openai.retrieve(pro.id());
        assertThat(proEarly.httpStatus()).isEqualTo(200);
        assertThat(proEarly.body().path("model").asText()).isEqualTo("sora-2-pro");
        assertThat(server.stats().earlyChecks()).isEqualTo(2);
        assertThat(server.stats().tasks()).extracting(TaskRecord::earlyChecks).containsExactly(1, 1);
    }

    @Test
    void sizeAndTruncateMarkersApplyToContent() throws Exception {
        String padded = openai.create("A quiet lake at dusk [sandbox:bytes=20000]").id();
        String cut = openai.create("A quiet lake at noon [sandbox:truncate-once] [sandbox:bytes=200000]").id();
        openai.sleepUntilProviderSeconds(System.nanoTime(), 100);
        HttpResponse<byte[]> big = openai.content(padded, null);
        assertThat(big.headers().firstValueAsLong("Content-Length")).hasValue(20_000);
        assertThat(big.body()).hasSize(20_000);

        HttpResponse<InputStream> first = openai.http.send(HttpRequest.newBuilder(URI.create(
                server.baseUrl() + "/v1/videos/" + cut + "/content")).header("Authorization", "Bearer sandbox-token")
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(first.headers().firstValueAsLong("Content-Length")).hasValue(200_000);
        int read = 0;
        try (InputStream in = first.body()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                read += n;
            }
        } catch (java.io.IOException expected) {
            // the cut connection
        }
        assertThat(read).isLessThan(200_000);
        assertThat(openai.content(cut, null).body()).hasSize(200_000);
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return SandboxTestClient.JSON.readTree(r.body());
    }
}
