package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.sandbox.SandboxTestClient.Reply;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The account's limits (rate, tariff, credit) and the test controls that break things on purpose. */
class SandboxLimitsTest {

    private SandboxServer server;
    private SandboxTestClient client;

    private void start(SandboxConfig config) throws Exception {
        server = SandboxServer.start(config);
        client = new SandboxTestClient(server, config.getTimeScale(), config.getToken());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void fastPostsAndFastStatusChecksAreRefusedAndCounted() throws Exception {
        // A slow clock (one provider second = 500 ms) so "back to back" is surely inside the window.
        start(new SandboxConfig().timeScale(0.5));
        String body = SandboxTestClient.json(SandboxTestClient.validBody("a quiet lake at dawn"));
        Reply first = client.postNow(body);
        Reply second = client.postNow(body);
        assertThat(first.httpStatus()).isEqualTo(200);
        assertThat(second.httpStatus()).isEqualTo(429);
        assertThat(second.message()).isEqualTo("TOO_MANY_REQUESTS");
        assertThat(server.stats().postRateBreaches()).isEqualTo(1);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);

        // The status window is separate: a GET right after a POST is fine, a second GET is not.
        String path = StatusHandler.PATH + "/" + first.id();
        assertThat(client.statusNow(path).httpStatus()).isEqualTo(200);
        Reply fastGet = client.statusNow(path);
        assertThat(fastGet.httpStatus()).isEqualTo(429);
        assertThat(fastGet.message()).isEqualTo("TOO_MANY_REQUESTS");

        // After a pause of over a second POSTs are welcome again.
        client.sleepUntilProviderSeconds(System.nanoTime(), 1.3);
        assertThat(client.postNow(body).httpStatus()).isEqualTo(200);

        SandboxStats stats = server.stats();
        assertThat(stats.postRateBreaches()).isEqualTo(1);
        assertThat(stats.statusRateBreaches()).isEqualTo(1);
        assertThat(stats.earlyChecks()).isEqualTo(1);
        assertThat(stats.breaches()).isEqualTo(3);
        assertThat(stats.posts()).isEqualTo(3);
        assertThat(stats.statusChecks()).isEqualTo(2);
    }

    @Test
    void aRefusedPostStillMovesTheRateWindow() throws Exception {
        start(new SandboxConfig().timeScale(0.5));
        String body = SandboxTestClient.json(SandboxTestClient.validBody("a quiet lake at dawn"));
        assertThat(client.postNow(body).httpStatus()).isEqualTo(200);
        long t0 = System.nanoTime(); // just after the first arrival
        client.sleepUntilProviderSeconds(t0, 0.6);
        assertThat(client.postNow(body).httpStatus()).isEqualTo(429);
        client.sleepUntilProviderSeconds(t0, 1.3); // 1.3 s after the first, only 0.7 s after the refused one
        assertThat(client.postNow(body).httpStatus()).isEqualTo(429);
        assertThat(server.stats().postRateBreaches()).isEqualTo(2);
    }

    @Test
    void requestsWithoutAValidTokenDoNotTouchTheRateWindow() throws Exception {
        start(new SandboxConfig().timeScale(0.5));
        String body = SandboxTestClient.json(SandboxTestClient.validBody("a quiet lake at dawn"));
        client.token("wrong");
        assertThat(client.postNow(body).httpStatus()).isEqualTo(401);
        client.token("sandbox-token");
        assertThat(client.postNow(body).httpStatus()).isEqualTo(200);
        assertThat(server.stats().posts()).isEqualTo(2);
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void tokenCanBeChangedAtRunTime() throws Exception {
        start(new SandboxConfig().timeScale(0.01));
        server.setToken("rotated");
        assertThat(client.submit("a quiet lake at dawn").httpStatus()).isEqualTo(401);
        client.token("rotated");
        assertThat(client.submit("a quiet lake at dawn").httpStatus()).isEqualTo(200);
    }

    @Test
    void activeTaskLimitAndCreditAreEnforced() throws Exception {
        start(new SandboxConfig().timeScale(0.02).activeTaskLimit(1));
        assertThat(client.submit("first task [sandbox:stuck]").httpStatus()).isEqualTo(200);
        Reply refused = client.submit("second task here");
        assertThat(refused.httpStatus()).isEqualTo(409);
        assertThat(refused.message()).isEqualTo("TASK_LIMIT_EXCEEDED");
        assertThat(server.stats().taskLimitBreaches()).isEqualTo(1);

        server.setActiveTaskLimit(2);
        assertThat(client.submit("second task here").httpStatus()).isEqualTo(200);
        assertThat(server.stats().maxActiveObserved()).isEqualTo(2);

        server.setActiveTaskLimit(10);
        server.setRpoints(1);
        assertThat(client.submit("third task here").httpStatus()).isEqualTo(200);
        assertThat(server.rpoints()).isZero();
        Reply broke = client.submit("fourth task here");
        assertThat(broke.httpStatus()).isEqualTo(409);
        assertThat(broke.message()).isEqualTo("NOT_ENOUGH_RPOINTS");
        assertThat(server.stats().tasksCreated()).isEqualTo(3);
        assertThat(server.stats().taskLimitBreaches()).isEqualTo(1);
    }

    @Test
    void aFinishedTaskFreesItsSlot() throws Exception {
        start(new SandboxConfig().timeScale(0.01).activeTaskLimit(1).generationSeconds2(60).jitterFraction(0));
        assertThat(client.submit("first task here").httpStatus()).isEqualTo(200);
        long t0 = System.nanoTime();
        assertThat(client.submit("second task here").message()).isEqualTo("TASK_LIMIT_EXCEEDED");
        client.sleepUntilProviderSeconds(t0, 62);
        assertThat(client.submit("second task here").httpStatus()).isEqualTo(200);
        assertThat(server.stats().maxActiveObserved()).isEqualTo(1);
    }

    @Test
    void injectedFailuresAnswerTheGivenErrorThenRecover() throws Exception {
        start(new SandboxConfig().timeScale(0.01));
        server.failNextPosts(2, 500, "INTERNAL_SERVER_ERROR");
        for (int i = 0; i < 2; i++) {
            Reply r = client.submit("a quiet lake at dawn");
            assertThat(r.httpStatus()).isEqualTo(500);
            assertThat(r.message()).isEqualTo("INTERNAL_SERVER_ERROR");
        }
        assertThat(server.stats().tasksCreated()).isZero();
        Reply created = client.submit("a quiet lake at dawn");
        assertThat(created.httpStatus()).isEqualTo(200);

        server.failNextStatusChecks(1, 503, "INTERNAL_SERVER_ERROR");
        assertThat(client.status(created.id()).httpStatus()).isEqualTo(503);
        assertThat(client.status(created.id()).httpStatus()).isEqualTo(200);
        assertThat(server.stats().tasks().get(0).checks()).isEqualTo(1);
    }

    @Test
    void aDroppedResponseStillCreatesTheTask() throws Exception {
        start(new SandboxConfig().timeScale(0.01));
        server.dropNextPostResponses(1);
        String prompt = "a quiet lake, dropped answer 7f3a";
        String body = SandboxTestClient.json(SandboxTestClient.validBody(prompt));
        assertThatThrownBy(() -> client.postExpectingFailure(body)).isInstanceOf(IOException.class);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);
        assertThat(server.stats().tasksCreatedByPrompt()).containsEntry(prompt, 1);
        assertThat(server.stats().tasks().get(0).prompt()).isEqualTo(prompt);

        Reply next = client.submit("a quiet lake, answered");
        assertThat(next.httpStatus()).isEqualTo(200);
        assertThat(next.id()).isEqualTo(server.stats().tasks().get(0).id() + 1);
    }

    @Test
    void refusingConnectionsLooksLikeAProviderThatIsDown() throws Exception {
        start(new SandboxConfig().timeScale(0.01));
        int port = server.port();
        server.refuseConnections(true);
        assertThatThrownBy(() -> client.postExpectingFailure("{}")).isInstanceOf(ConnectException.class);
        server.refuseConnections(false);
        assertThat(server.port()).isEqualTo(port);
        assertThat(client.submit("a quiet lake at dawn").httpStatus()).isEqualTo(200);
    }

    @Test
    void statsAreServedAsJsonWithoutToken() throws Exception {
        start(new SandboxConfig().timeScale(0.01));
        client.submit("a quiet lake at dawn");
        HttpResponse<String> r = client.http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/sandbox/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode stats = SandboxTestClient.JSON.readTree(r.body());
        assertThat(stats.path("posts").asLong()).isEqualTo(1);
        assertThat(stats.path("tasksCreated").asLong()).isEqualTo(1);
        assertThat(stats.path("breaches").asLong()).isZero();
        assertThat(stats.path("tasksCreatedByPrompt").path("a quiet lake at dawn").asInt()).isEqualTo(1);
        assertThat(stats.path("tasks").get(0).path("id").asLong()).isEqualTo(100_001);
    }

    @Test
    void wrongPathsAndMethodsAreNotTheApi() throws Exception {
        start(new SandboxConfig().timeScale(0.01));
        HttpResponse<String> get = client.http.send(HttpRequest.newBuilder(
                URI.create(server.baseUrl() + SubmitHandler.PATH)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        HttpResponse<String> unknown = client.http.send(HttpRequest.newBuilder(
                URI.create(server.baseUrl() + "/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(server.stats().posts()).isZero();
    }

    @Test
    void answersComeWithoutTheNagleStall() throws Exception {
        // Guards the no-delay switch: with it off every answer waits ~40 ms for a delayed ACK.
        start(new SandboxConfig().timeScale(0.0001));
        client.statusNow(StatusHandler.PATH + "/1"); // warm up the connection
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            long t = System.nanoTime();
            client.statusNow(StatusHandler.PATH + "/1");
            millis.add((System.nanoTime() - t) / 1_000_000);
        }
        millis.sort(null);
        assertThat(millis.get(4)).as("median ms of %s", millis).isLessThan(25);
    }

    @Test
    void configRulesAreChecked() {
        assertThatThrownBy(() -> SandboxServer.start(new SandboxConfig().generationSeconds2(30)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generationSeconds2");
        assertThatThrownBy(() -> SandboxServer.start(new SandboxConfig().generationSecondsPro(200)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxServer.start(new SandboxConfig().timeScale(0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SandboxConfig.tariffLimit("VIP")).isEqualTo(10);
        assertThat(SandboxConfig.tariffLimit("micro")).isEqualTo(2);
        assertThat(SandboxConfig.tariffLimit("7")).isEqualTo(7);
        SandboxConfig parsed = SandboxMain.parse(new String[] {
            "--port", "0", "--time-scale", "0.05", "--tariff", "demo", "--token", "t0k"});
        assertThat(parsed.getTimeScale()).isEqualTo(0.05);
        assertThat(parsed.getActiveTaskLimit()).isEqualTo(1);
        assertThat(parsed.getToken()).isEqualTo("t0k");
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--nope", "1"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
