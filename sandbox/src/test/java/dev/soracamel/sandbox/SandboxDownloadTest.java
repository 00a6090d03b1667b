package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.soracamel.sandbox.SandboxTestClient.Reply;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The result link: exact sizes, a lifetime, a token of its own, and a cut connection on request. */
class SandboxDownloadTest {

    /** One provider second = 10 ms; generation is exactly 60 s (0.6 s real), links live 30 s (0.3 s). */
    private static final double SCALE = 0.01;

    private SandboxServer server;
    private SandboxTestClient client;
    private byte[] sample;

    @BeforeEach
    void start() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(10)
                .generationSeconds2(60).jitterFraction(0).linkTtlSeconds(30).videoBytes(3_000_000));
        client = new SandboxTestClient(server, SCALE, "sandbox-token");
        try (InputStream in = getClass().getResourceAsStream("/sandbox/sample.mp4")) {
            sample = in.readAllBytes();
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void videoIsPaddedToTheConfiguredOrRequestedSize() throws Exception {
        long padded = client.submit("a quiet lake at dawn").id();
        long marked = client.submit("a quiet lake at dusk [sandbox:bytes=20000]").id();
        long tooSmall = client.submit("a quiet lake at noon [sandbox:bytes=" + (sample.length + 3) + "]").id();
        client.sleepUntilProviderSeconds(System.nanoTime(), 61);

        HttpResponse<byte[]> big = client.download(resultUrl(padded));
        assertThat(big.statusCode()).isEqualTo(200);
        assertThat(big.headers().firstValueAsLong("Content-Length")).hasValue(3_000_000);
        assertThat(big.body()).hasSize(3_000_000);
        assertThat(Arrays.copyOf(big.body(), sample.length)).isEqualTo(sample);
        Mp4PaddingTest.assertWellFormedBoxes(big.body(), true);

        assertThat(client.download(resultUrl(marked)).body()).hasSize(20_000);
        // No room for even an empty free box: the sample is served as it is.
        assertThat(client.download(resultUrl(tooSmall)).body()).isEqualTo(sample);
        assertThat(server.stats().downloads()).isEqualTo(3);
    }

    @Test
    void linkExpiresAfterItsLifetimeAndNeedsItsToken() throws Exception {
        long id = client.submit("a quiet lake at dawn [sandbox:bytes=0]").id();
        long t0 = System.nanoTime(); // after the answer, so surely after the task's creation
        HttpResponse<byte[]> notYet = client.download(server.baseUrl() + "/sandbox/files/" + id + ".mp4?token=x");
        assertThat(notYet.statusCode()).isEqualTo(404);
        client.sleepUntilProviderSeconds(t0, 61);
        String url = resultUrl(id);
        assertThat(client.download(url).statusCode()).isEqualTo(200);
        assertThat(client.download(url.replaceAll("token=.*", "token=guess")).statusCode()).isEqualTo(404);
        assertThat(client.download(url.replace("token=", "other=")).statusCode()).isEqualTo(404);
        assertThat(server.stats().expiredDownloads()).isZero();

        client.sleepUntilProviderSeconds(t0, 60 + 30 + 2);
        assertThat(client.download(url).statusCode()).isEqualTo(404);
        assertThat(server.stats().expiredDownloads()).isEqualTo(1);
        assertThat(server.stats().downloads()).isEqualTo(1);
        TaskRecord task = server.stats().tasks().get(0);
        assertThat(task.downloads()).isEqualTo(1);
        assertThat(task.downloadedAtMillis()).isPositive();
    }

    @Test
    void truncateOnceCutsTheFirstDownloadOnly() throws Exception {
        long id = client.submit("a quiet lake at dawn [sandbox:truncate-once]").id();
        long t0 = System.nanoTime();
        client.sleepUntilProviderSeconds(t0, 61);
        String url = resultUrl(id);

        HttpResponse<InputStream> cut = client.http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(cut.headers().firstValueAsLong("Content-Length")).hasValue(3_000_000);
        byte[] got = new byte[3_000_000];
        int[] read = {0};
        assertThatThrownBy(() -> {
            try (InputStream in = cut.body()) {
                int n;
                while ((n = in.read(got, read[0], got.length - read[0])) > 0) {
                    read[0] += n;
                }
            }
        }).isInstanceOf(IOException.class);
        // the server sends half and aborts; an abortive close may drop bytes still in flight, never add any
        assertThat(read[0]).isBetween(1, 1_500_000);

        HttpResponse<byte[]> whole = client.download(url);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).hasSize(3_000_000);
        assertThat(server.stats().downloads()).isEqualTo(2);
    }

    private String resultUrl(long id) {
        Reply r = client.status(id);
        assertThat(r.taskStatus()).as(r.toString()).isEqualTo(2);
        return r.data().path("result_url").asText();
    }
}
