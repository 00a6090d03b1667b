package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.sandbox.VideosTestClient.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /v1/videos} (the list) and {@code Idempotency-Key} on creates, in both dialects, and the marker
 * that loses a create's answer after its task exists.
 */
class VideosListAndIdempotencyTest {

    private static final double SCALE = 0.01;

    private SandboxServer server;
    private VideosTestClient openai;
    private VideosTestClient gateway;

    @BeforeEach
    void start() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(10)
                .account("gateway-token", 10, Dialect.GATEWAY));
        openai = new VideosTestClient(server, SCALE, "sandbox-token");
        gateway = new VideosTestClient(server, SCALE, "gateway-token");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theListIsNewestFirstPagedByAfterAndEachItemIsTheRetrievedVideo() {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Reply r = openai.create("Listed scene number " + i);
            assertThat(r.httpStatus()).as(r.toString()).isEqualTo(200);
            ids.add(r.id());
        }
        long lastCreated = System.nanoTime();
        gateway.create("Another account's scene"); // never in this account's list

        Reply first = openai.list("limit=2&order=desc");
        assertThat(first.httpStatus()).as(first.toString()).isEqualTo(200);
        assertThat(first.body().path("object").asText()).isEqualTo("list");
        assertThat(idsOf(first)).containsExactly(ids.get(4), ids.get(3));
        assertThat(first.body().path("first_id").asText()).isEqualTo(ids.get(4));
        assertThat(first.body().path("last_id").asText()).isEqualTo(ids.get(3));
        assertThat(first.body().path("has_more").asBoolean()).isTrue();

        Reply second = openai.list("limit=2&order=desc&after=" + ids.get(3));
        assertThat(idsOf(second)).containsExactly(ids.get(2), ids.get(1));
        Reply last = openai.list("limit=2&after=" + ids.get(1));
        assertThat(idsOf(last)).containsExactly(ids.get(0));
        assertThat(last.body().path("has_more").asBoolean()).isFalse();

        Reply asc = openai.list("order=asc");
        assertThat(idsOf(asc)).containsExactlyElementsOf(ids); // default limit 20 holds all five

        JsonNode listed = first.body().path("data").get(0);
        openai.sleepUntilProviderSeconds(lastCreated, 31); // a retrieval before the first-check minimum is a breach
        Reply retrieved = openai.retrieve(ids.get(4));
        for (String field : new String[] {"id", "object", "model", "created_at", "size", "seconds", "prompt"}) {
            assertThat(listed.get(field)).as(field).isEqualTo(retrieved.body().get(field));
        }

        Reply empty = openai.list("limit=0");
        assertThat(empty.body().path("data").size()).isZero();
        assertThat(empty.body().path("first_id").isNull()).isTrue();
        assertThat(empty.body().path("has_more").asBoolean()).isTrue();

        assertThat(openai.list("limit=101").httpStatus()).isEqualTo(400);
        assertThat(openai.list("order=sideways").httpStatus()).isEqualTo(400);
        assertThat(openai.list("after=video_unknown").httpStatus()).isEqualTo(404);
        assertThat(server.stats("sandbox-token").videoLists()).isEqualTo(8);
        // a list is no check of any task: the five tasks' first-check minimum is not broken by it
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void theGatewayDialectListsItsOwnWording() {
        Reply created = gateway.create("A gateway scene to list");
        Reply list = gateway.list("limit=10&order=desc");
        assertThat(list.httpStatus()).as(list.toString()).isEqualTo(200);
        JsonNode v = list.body().path("data").get(0);
        assertThat(v.path("id").asText()).isEqualTo(created.id());
        assertThat(v.path("status").asText()).isEqualTo("pending");
        assertThat(v.path("duration").asInt()).isEqualTo(4);
        assertThat(v.has("seconds")).isFalse();
    }

    @Test
    void aListSoonerThanOneProviderSecondAfterARetrievalIsARateBreach() throws Exception {
        // real provider time, so that a round trip is far shorter than the one-second rule
        try (SandboxServer slow = SandboxServer.start(new SandboxConfig().timeScale(1.0))) {
            VideosTestClient client = new VideosTestClient(slow, 1.0, "sandbox-token");
            assertThat(client.retrieveNow("video_unknown").httpStatus()).isEqualTo(404);
            Reply tooSoon = client.get(VideosHandler.VIDEOS);
            assertThat(tooSoon.httpStatus()).isEqualTo(429);
            assertThat(tooSoon.header("Retry-After")).isNotNull();
            assertThat(slow.stats().statusRateBreaches()).isEqualTo(1);
            assertThat(slow.stats().videoLists()).isEqualTo(1);
        }
    }

    @Test
    void theOpenAiDialectAnswersARepeatedKeyWithTheSameVideoAndChargesNothingNew() {
        server.setRpoints(5); // credit is spent per created task
        Map<String, Object> body = VideosTestClient.body("The same create sent twice");
        Reply first = openai.createWithKey(body, "key-1");
        Reply again = openai.createWithKey(body, "key-1");

        assertThat(first.httpStatus()).as(first.toString()).isEqualTo(200);
        assertThat(again.httpStatus()).as(again.toString()).isEqualTo(200);
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(server.stats().tasksCreated()).isEqualTo(1);
        assertThat(server.stats().idempotentReplays()).isEqualTo(1);
        assertThat(server.rpoints()).isEqualTo(4);

        Map<String, Object> other = VideosTestClient.body("Another body under the same key");
        Reply reused = openai.createWithKey(other, "key-1");
        assertThat(reused.httpStatus()).as(reused.toString()).isEqualTo(422);
        assertThat(reused.code()).isEqualTo("idempotency_key_reused");

        Reply newKey = openai.createWithKey(body, "key-2");
        assertThat(newKey.httpStatus()).isEqualTo(200);
        assertThat(newKey.id()).isNotEqualTo(first.id());
        assertThat(server.stats().tasksCreated()).isEqualTo(2);
        assertThat(server.stats().posts()).as("every create is a POST, replays included").isEqualTo(4);
    }

    @Test
    void aCreateThatMadeNothingLeavesItsKeyFree() {
        Reply blocked = openai.createWithKey(VideosTestClient.body("Blocked once [sandbox:moderation]"), "key-m");
        assertThat(blocked.httpStatus()).isEqualTo(400);
        Reply fresh = openai.createWithKey(VideosTestClient.body("Fine this time"), "key-m");
        assertThat(fresh.httpStatus()).as(fresh.toString()).isEqualTo(200);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);
    }

    @Test
    void theGatewayDialectIgnoresTheKey() {
        Map<String, Object> body = VideosTestClient.body("The same create sent twice to a gateway");
        Reply first = gateway.createWithKey(body, "key-1");
        Reply again = gateway.createWithKey(body, "key-1");
        Reply other = gateway.createWithKey(VideosTestClient.body("Another body, same key"), "key-1");

        assertThat(List.of(first.httpStatus(), again.httpStatus(), other.httpStatus())).containsOnly(200);
        assertThat(again.id()).isNotEqualTo(first.id());
        assertThat(server.stats("gateway-token").tasksCreated()).isEqualTo(3);
        assertThat(server.stats("gateway-token").idempotentReplays()).isZero();
    }

    @Test
    void aLostAnswerLeavesAPaidTaskThatAReplayOrTheListFinds() {
        Map<String, Object> body = VideosTestClient.body("Created, answer lost [sandbox:lose-answer]");
        assertThatThrownBy(() -> openai.createWithKey(body, "key-lost")).isInstanceOf(RuntimeException.class);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);

        Reply replay = openai.createWithKey(body, "key-lost");
        assertThat(replay.httpStatus()).as("the replay answers; the marker loses only a creating answer")
                .isEqualTo(200);
        Reply list = openai.list("limit=5");
        assertThat(idsOf(list)).containsExactly(replay.id());
        assertThat(server.stats().tasksCreated()).isEqualTo(1);

        var bad = gateway.sendForText(gateway.request(VideosHandler.VIDEOS).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(SandboxTestClient.json(
                        VideosTestClient.body("Created, then a 502 [sandbox:lose-answer-502]")))).build());
        assertThat(bad.statusCode()).isEqualTo(502);
        assertThat(bad.body()).contains("Bad Gateway");
        assertThat(server.stats("gateway-token").tasksCreated()).isEqualTo(1);
        assertThat(idsOf(gateway.list(null))).hasSize(1);
    }

    private static List<String> idsOf(Reply list) {
        List<String> ids = new ArrayList<>();
        list.body().path("data").forEach(v -> ids.add(v.path("id").asText()));
        return ids;
    }
}
