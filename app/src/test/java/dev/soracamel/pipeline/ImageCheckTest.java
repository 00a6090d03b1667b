package dev.soracamel.pipeline;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With the image check on (the default), a reference image that cannot be had costs no API call. */
class ImageCheckTest extends PipelineTestSupport {

    /** Headers at once, then a byte a second; and a path that counts who reached it. */
    static HttpServer hosts;
    static int hostsPort;

    @Override
    protected void configure(Properties p) {
        startHosts();
        p.put("sora.validation.check-image", "true");
        p.put("sora.validation.image-timeout", "2s");
        // the test's images are on loopback, which a live run never fetches unless allowed
        p.put("sora.validation.image-allow", "127.0.0.1");
    }

    static synchronized void startHosts() {
        if (hosts != null) {
            return;
        }
        try {
            hosts = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            hosts.setExecutor(Executors.newCachedThreadPool());
            hosts.createContext("/drip.png", ex -> {
                ex.sendResponseHeaders(200, 10_000);
                OutputStream out = ex.getResponseBody();
                try {
                    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
                    for (int i = 0; i < 60; i++) {
                        out.write(0);
                        out.flush();
                        Thread.sleep(1000);
                    }
                } catch (IOException | InterruptedException e) {
                    // the check gave up, as it should
                }
                ex.close();
            });
            hosts.start();
            hostsPort = hosts.getAddress().getPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stopHosts() {
        if (hosts != null) {
            hosts.stop(0);
            hosts = null;
        }
    }

    @Test
    void an_unreachable_image_is_dead_lettered_before_any_paid_call() throws Exception {
        drop("pic.json", request("2", "The first frame comes from a picture", 720, 10, "c")
                .replace("}", ", \"image_url\": \"http://127.0.0.1:1/closed.png\"}"));

        awaitSettled(1, Duration.ofSeconds(20));

        assertThat(error("pic").path("code").asText()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(error("pic").path("message").asText()).doesNotContain("Connection refused", "Exception");
        assertThat(sandbox().stats().posts()).isZero();
    }

    @Test
    void a_dripping_image_host_holds_the_inbox_no_longer_than_the_deadline() throws Exception {
        drop("slow.json", request("2", "The first frame drips in slowly", 720, 10, "c")
                .replace("}", ", \"image_url\": \"http://127.0.0.1:" + hostsPort + "/drip.png\"}"));
        Thread.sleep(300);
        drop("canary.json", v2("A canary singing in a cage", "c"));
        long start = System.nanoTime();
        await(() -> board().find("canary").isPresent(), Duration.ofSeconds(8), () -> "the canary was not taken");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

        awaitSettled(2, Duration.ofSeconds(20));
        assertThat(error("slow").path("code").asText()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(error("slow").path("message").asText()).contains("did not arrive whole within 2000 ms");
        assertThat(sandbox().stats().posts()).isEqualTo(1);
    }

    @Test
    void a_link_to_an_address_not_allowed_is_refused_without_a_fetch() throws Exception {
        drop("meta.json", request("2", "The first frame from the metadata service", 720, 10, "c")
                .replace("}", ", \"image_url\": \"http://169.254.169.254/latest/meta-data/\"}"));
        drop("private.json", request("2", "The first frame from a private address", 720, 10, "c")
                .replace("}", ", \"image_url\": \"http://10.0.0.1/a.png\"}"));

        awaitSettled(2, Duration.ofSeconds(20));

        assertThat(error("meta").path("code").asText()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
        assertThat(error("private").path("code").asText()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
        assertThat(sandbox().stats().posts()).isZero();
    }
}
