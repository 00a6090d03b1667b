package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soracamel.sandbox.VideosTestClient.Reply;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The account limits of /v1/videos (rate, active tasks, credit), per account, and the failure controls. */
class VideosLimitsTest {

    private SandboxServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void fastPostsAndFastGetsAre429WithRetryAfterAndCounted() throws Exception {
        // One provider second = 500 ms, so back-to-back calls are surely inside the window.
        server = SandboxServer.start(config(0.5));
        VideosTestClient client = new VideosTestClient(server, 0.5, "sandbox-token");
        String body = SandboxTestClient.json(VideosTestClient.body("a quiet lake at dawn"));
        Reply first = client.createNow(body, "application/json");
        Reply second = client.createNow(body, "application/json");
        assertThat(first.httpStatus()).isEqualTo(200);
        assertThat(second.httpStatus()).isEqualTo(429);
        assertThat(second.code()).isEqualTo("rate_limit_exceeded");
        // Whole seconds for Retry-After (RFC 9110), the exact real wait in retry-after-ms.
        assertThat(second.header("Retry-After")).isEqualTo("1");
        assertThat(second.header("retry-after-ms")).isEqualTo("500");
        assertThat(server.stats().postRateBreaches()).isEqualTo(1);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);

        // The status window is separate from the POST window.
        assertThat(client.retrieveNow(first.id()).httpStatus()).isEqualTo(200);
        Reply fastGet = client.retrieveNow(first.id());
        assertThat(fastGet.httpStatus()).isEqualTo(429);
        assertThat(fastGet.code()).isEqualTo("rate_limit_exceeded");
        assertThat(fastGet.header("retry-after-ms")).isEqualTo("500");

        SandboxStats stats = server.stats();
        assertThat(stats.statusRateBreaches()).isEqualTo(1);
        assertThat(stats.earlyChecks()).isEqualTo(1);
        assertThat(stats.breaches()).isEqualTo(3);
        assertThat(stats.posts()).isEqualTo(2);
        assertThat(stats.statusChecks()).isEqualTo(2);
    }

    @Test
    void accountsHaveTheirOwnWindowsLimitsAndVideos() throws Exception {
        server = SandboxServer.start(config(0.5).activeTaskLimit(1));
        server.addAccount("second-token", 1, Dialect.GATEWAY);
        VideosTestClient first = new VideosTestClient(server, 0.5, "sandbox-token");
        VideosTestClient second = new VideosTestClient(server, 0.5, "second-token");
        String body = SandboxTestClient.json(VideosTestClient.body("a quiet lake at dawn [sandbox:stuck]"));

        Reply a = first.createNow(body, "application/json");
        Reply b = second.createNow(body, "application/json");
        assertThat(a.httpStatus()).as(a.toString()).isEqualTo(200);
        assertThat(b.httpStatus()).as("another account's window: %s", b).isEqualTo(200);
        assertThat(b.status()).isEqualTo("pending");

        first.sleepUntilProviderSeconds(System.nanoTime(), 1.2);
        Reply full = first.createNow(body, "application/json");
        assertThat(full.httpStatus()).isEqualTo(429);
        assertThat(full.code()).isEqualTo("concurrency_limit_exceeded");
        assertThat(server.stats("sandbox-token").taskLimitBreaches()).isEqualTo(1);
        assertThat(server.stats("second-token").taskLimitBreaches()).isZero();

        // A video belongs to its account; GETs of two accounts do not share a window either.
        assertThat(second.retrieveNow(a.id()).code()).isEqualTo("video_not_found");
        assertThat(first.retrieveNow(a.id()).httpStatus()).isEqualTo(200);
        assertThat(server.stats().statusRateBreaches()).isZero();

        SandboxStats total = server.stats();
        assertThat(total.tasksCreated()).isEqualTo(2);
        assertThat(total.posts()).isEqualTo(3);
        assertThat(total.maxActiveObserved()).isEqualTo(1);
        assertThat(total.breaches()).isEqualTo(total.taskLimitBreaches() + total.earlyChecks());
        assertThat(server.stats("second-token").tasks()).extracting(TaskRecord::taskId).containsExactly(b.id());
    }

    @Test
    void noCreditIsInsufficientQuota() throws Exception {
        server = SandboxServer.start(config(0.01).rpoints(1));
        VideosTestClient client = new VideosTestClient(server, 0.01, "sandbox-token");
        assertThat(client.create("a quiet lake at dawn").httpStatus()).isEqualTo(200);
        Reply broke = client.create("a quiet lake at dusk");
        assertThat(broke.httpStatus()).isEqualTo(429);
        assertThat(broke.code()).isEqualTo("insufficient_quota");
        assertThat(broke.error().path("type").asText()).isEqualTo("insufficient_quota");
        assertThat(broke.header("Retry-After")).isNull();
        assertThat(server.rpoints()).isZero();
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void injectedFailuresAndDroppedAnswersWorkInOpenAisShape() throws Exception {
        server = SandboxServer.start(config(0.01));
        server.addAccount("second-token", 3);
        VideosTestClient client = new VideosTestClient(server, 0.01, "sandbox-token");
        VideosTestClient other = new VideosTestClient(server, 0.01, "second-token");

        server.failNextPosts(1, 503, "service_unavailable");
        Reply failed = client.create("a quiet lake at dawn");
        assertThat(failed.httpStatus()).isEqualTo(503);
        assertThat(failed.code()).isEqualTo("service_unavailable");
        assertThat(failed.error().path("type").asText()).isEqualTo("server_error");
        assertThat(failed.header("retry-after-ms")).isEqualTo("10");
        assertThat(server.stats().tasksCreated()).isZero();

        // Armed for one account, it leaves the other alone.
        server.failNextStatusChecks("second-token", 1, 500, "server_error");
        Reply created = other.create("a quiet lake at dusk");
        assertThat(created.httpStatus()).isEqualTo(200);
        assertThat(client.retrieve("video_nothing").code()).isEqualTo("video_not_found");
        assertThat(other.retrieve(created.id()).httpStatus()).isEqualTo(500);
        assertThat(other.retrieve(created.id()).httpStatus()).isEqualTo(200);

        server.dropNextPostResponses(1);
        String prompt = "a quiet lake, dropped answer 7f3a";
        assertThatThrownBy(() -> client.create(prompt)).isInstanceOf(UncheckedIOException.class);
        assertThat(server.stats("sandbox-token").tasksCreatedByPrompt()).containsEntry(prompt, 1);
        assertThat(client.create("a quiet lake, answered").httpStatus()).isEqualTo(200);
    }

    private static SandboxConfig config(double scale) {
        return new SandboxConfig().timeScale(scale);
    }
}
