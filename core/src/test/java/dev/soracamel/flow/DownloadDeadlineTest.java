package dev.soracamel.flow;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A video download through the same HTTP client the download route uses (Apache HttpClient 5), its body
 * bounded as the route bounds it: a host that drips or falls silent is cut off at the deadline of the whole
 * transfer, a body past the cap is refused, and cutting off never waits for the rest of the body.
 */
class DownloadDeadlineTest {

    HttpServer server;
    String base;
    final CountDownLatch released = new CountDownLatch(1);
    CloseableHttpClient client;

    @BeforeEach
    void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/drip.mp4", ex -> {
            ex.sendResponseHeaders(200, 1_000_000);
            OutputStream out = ex.getResponseBody();
            try {
                for (int i = 0; i < 1_000_000 && released.getCount() > 0; i++) {
                    out.write('x');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // cut off by the client
            }
            ex.close();
        });
        server.createContext("/silent.mp4", ex -> {
            ex.sendResponseHeaders(200, 1_000_000);
            ex.getResponseBody().flush();
            try {
                released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // the test ended
            }
            ex.close();
        });
        server.createContext("/big.mp4", ex -> {
            byte[] body = new byte[10_000];
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        client = HttpClients.custom().disableAutomaticRetries().build();
    }

    @AfterEach
    void stop() throws IOException {
        released.countDown();
        client.close();
        server.stop(0);
    }

    InputStream open(String path, Duration deadline, long cap) throws IOException {
        ClassicHttpResponse r = client.executeOpen(null, new HttpGet(base + path), null);
        return new BoundedStream(r.getEntity().getContent(), System.nanoTime() + deadline.toNanos(), cap, "test deadline");
    }

    static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        while (in.read(buf) >= 0) {
            // keep reading, as the file endpoint does
        }
    }

    @Test
    void a_dripping_host_is_cut_off_at_the_deadline_of_the_whole_transfer() throws Exception {
        InputStream in = open("/drip.mp4", Duration.ofMillis(1200), Long.MAX_VALUE);
        long start = System.nanoTime();
        assertThatThrownBy(() -> drain(in)).isInstanceOf(BoundedStream.TooSlow.class)
                .hasMessageContaining("test deadline");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        long closing = System.nanoTime();
        in.close();
        assertThat(Duration.ofNanos(System.nanoTime() - closing)).as("closing does not read the rest")
                .isLessThan(Duration.ofMillis(500));
    }

    @Test
    void a_silent_host_is_cut_off_at_the_deadline_not_after_the_read_timeout() throws Exception {
        InputStream in = open("/silent.mp4", Duration.ofMillis(1000), Long.MAX_VALUE);
        long start = System.nanoTime();
        assertThatThrownBy(() -> drain(in)).isInstanceOf(BoundedStream.TooSlow.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2500));
        in.close();
    }

    @Test
    void a_body_past_the_cap_is_refused_and_a_body_within_it_arrives_whole() throws Exception {
        InputStream big = open("/big.mp4", Duration.ofSeconds(5), 4096);
        assertThatThrownBy(() -> drain(big)).isInstanceOf(BoundedStream.TooLarge.class)
                .hasMessageContaining("sora.download.max-bytes");
        big.close();
        try (InputStream fits = open("/big.mp4", Duration.ofSeconds(5), 10_000)) {
            assertThat(fits.readAllBytes()).hasSize(10_000);
        }
    }
}
