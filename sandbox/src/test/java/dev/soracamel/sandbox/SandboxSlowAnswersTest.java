package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soracamel.sandbox.SandboxTestClient.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A slow provider: the request is seen and counted when it arrives, its answer comes the configured provider
 * time later. One provider second lasts 100 ms, so 4 provider seconds of submit delay are 400 ms of real time.
 */
class SandboxSlowAnswersTest {

    private static final double SCALE = 0.1;
    private static final long SUBMIT_REAL_MS = 400;
    private static final long STATUS_REAL_MS = 300;

    private SandboxServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(SCALE)
                .submitDelayMs(SUBMIT_REAL_MS / SCALE).statusDelayMs(STATUS_REAL_MS / SCALE));
    }

    @Test
    void aSubmitIsCreatedAndCountedOnArrivalAndAnsweredLater() throws Exception {
        start();
        SandboxTestClient client = new SandboxTestClient(server, SCALE, "sandbox-token");
        String body = SandboxTestClient.json(SandboxTestClient.validBody("a slow provider"));
        long t0 = System.nanoTime();
        CompletableFuture<Reply> first = CompletableFuture.supplyAsync(() -> client.postNow(body));
        awaitValue(() -> server.stats().tasksCreated(), 1, 3000);
        assertThat(first).as("created and paid, its answer still on the wire").isNotDone();
        // a second POST right behind the first breaks the rate rule on arrival, answered or not
        CompletableFuture<Reply> second = CompletableFuture.supplyAsync(() -> client.postNow(body));
        awaitValue(() -> server.stats().postRateBreaches(), 1, 3000);
        assertThat(first).isNotDone();

        Reply created = first.get(5, TimeUnit.SECONDS);
        assertThat(elapsedMs(t0)).isGreaterThanOrEqualTo(SUBMIT_REAL_MS);
        assertThat(created.httpStatus()).isEqualTo(200);
        assertThat(second.get(5, TimeUnit.SECONDS).httpStatus()).isEqualTo(429);
        assertThat(server.stats().posts()).isEqualTo(2);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);

        long t1 = System.nanoTime();
        CompletableFuture<Reply> status = CompletableFuture.supplyAsync(
                () -> client.statusNow(StatusHandler.PATH + "/" + created.id()));
        awaitValue(() -> server.stats().statusChecks(), 1, 3000);
        assertThat(status).as("counted, its answer still on the wire").isNotDone();
        Reply checked = status.get(5, TimeUnit.SECONDS);
        assertThat(elapsedMs(t1)).isGreaterThanOrEqualTo(STATUS_REAL_MS);
        assertThat(checked.httpStatus()).isEqualTo(200);
        assertThat(checked.taskStatus()).isIn(0, 1);
    }

    @Test
    void aDroppedAnswerIsDroppedAfterTheDelay() throws Exception {
        start();
        server.dropNextPostResponses(1);
        SandboxTestClient client = new SandboxTestClient(server, SCALE, "sandbox-token");
        String body = SandboxTestClient.json(SandboxTestClient.validBody("dropped and slow"));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> client.postExpectingFailure(body)).isInstanceOf(java.io.IOException.class);
        assertThat(elapsedMs(t0)).isGreaterThanOrEqualTo(SUBMIT_REAL_MS);
        assertThat(server.stats().tasksCreated()).isEqualTo(1);
    }

    @Test
    void videosCreateAndRetrieveAreHeldBackButTheContentIsNot() throws Exception {
        start();
        VideosTestClient openai = new VideosTestClient(server, SCALE, "sandbox-token");
        long t0 = System.nanoTime();
        VideosTestClient.Reply created = openai.createNow(
                SandboxTestClient.json(VideosTestClient.body("a slow gateway")), "application/json");
        assertThat(elapsedMs(t0)).isGreaterThanOrEqualTo(SUBMIT_REAL_MS);
        assertThat(created.httpStatus()).isEqualTo(200);
        String id = created.body().path("id").asText();

        openai.sleepUntilProviderSeconds(System.nanoTime(), 1.5);
        long t1 = System.nanoTime();
        VideosTestClient.Reply retrieved = openai.retrieveNow(id);
        assertThat(elapsedMs(t1)).isGreaterThanOrEqualTo(STATUS_REAL_MS);
        assertThat(retrieved.httpStatus()).isEqualTo(200);

        // a download is neither a submit nor a status check: answered at once
        long t2 = System.nanoTime();
        openai.content(id, null);
        assertThat(elapsedMs(t2)).isLessThan(STATUS_REAL_MS);
        assertThat(server.stats().posts()).isEqualTo(1);
        assertThat(server.stats().statusChecks()).isEqualTo(1);
    }

    @Test
    void theFlagsSetTheDelaysInProviderMilliseconds() {
        SandboxConfig c = SandboxMain.parse(new String[] {"--submit-delay-ms", "25000", "--status-delay-ms", "500"});
        assertThat(c.getSubmitDelayMs()).isEqualTo(25000);
        assertThat(c.getStatusDelayMs()).isEqualTo(500);
        assertThat(new SandboxConfig().getSubmitDelayMs()).isZero();
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--status-delay-ms", "-1"}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("statusDelayMs");
    }

    private static long elapsedMs(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    private static void awaitValue(LongSupplier value, long wanted, long withinMs) throws InterruptedException {
        long end = System.nanoTime() + withinMs * 1_000_000;
        while (value.getAsLong() < wanted && System.nanoTime() < end) {
            Thread.sleep(2);
        }
        assertThat(value.getAsLong()).isEqualTo(wanted);
    }
}
