package dev.soracamel.validate;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.imageio.ImageIO;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image check fetches links anyone may write, so it must not reach what the pipeline's host can reach:
 * a second local server, "internal", stands for an internal service (an admin port, a metadata endpoint) and
 * must receive nothing, whichever way a link or a redirect names it. The image server is allowed by address
 * and port, as an operator would allow an internal image host. Nothing here leaves 127.0.0.1: refused
 * addresses are refused before any connection is made.
 */
class ImageFetchGuardTest {

    HttpServer images;
    HttpServer internal;
    final AtomicInteger internalHits = new AtomicInteger();
    int imagePort;
    int internalPort;
    ImageProbe probe;
    final List<ImageProbe> probes = new ArrayList<>();

    static byte[] png(int w, int h) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    @BeforeEach
    void serve() throws Exception {
        byte[] ok = png(64, 32);
        internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        internal.createContext("/", ex -> {
            internalHits.incrementAndGet();
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        internal.start();
        internalPort = internal.getAddress().getPort();

        images = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        images.setExecutor(Executors.newCachedThreadPool());
        images.createContext("/ok.png", ex -> {
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        images.createContext("/chunked.png", ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write(ok, 0, 10);
            out.flush();
            out.write(ok, 10, ok.length - 10);
            ex.close();
        });
        // redirects: to the internal server by every spelling, a loop, a relative hop back to an image
        images.createContext("/to-internal", ex -> redirect(ex, "http://127.0.0.1:" + internalPort + "/secret"));
        images.createContext("/to-localhost", ex -> redirect(ex, "http://localhost:" + internalPort + "/secret"));
        images.createContext("/to-decimal", ex -> redirect(ex, "http://2130706433:" + internalPort + "/secret"));
        images.createContext("/to-metadata", ex -> redirect(ex, "http://169.254.169.254/latest/meta-data/"));
        images.createContext("/to-file", ex -> redirect(ex, "file:///etc/passwd"));
        images.createContext("/loop", ex -> redirect(ex, "/loop"));
        images.createContext("/hop", ex -> redirect(ex, "/ok.png"));
        // headers at once, then a byte a second: only a deadline for the whole fetch ends it
        images.createContext("/drip.png", ex -> {
            ex.sendResponseHeaders(200, ok.length);
            OutputStream out = ex.getResponseBody();
            try {
                for (byte b : ok) {
                    out.write(b);
                    out.flush();
                    Thread.sleep(1000);
                }
            } catch (InterruptedException | IOException e) {
                // the client gave up, as it should
            }
            ex.close();
        });
        images.createContext("/huge.png", ex -> {
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            try {
                out.write(ok, 0, 8);
                byte[] junk = new byte[64 * 1024];
                for (int i = 0; i < 10_000; i++) {
                    out.write(junk);
                }
            } catch (IOException e) {
                // cut off by the client after its cap
            }
            ex.close();
        });
        images.start();
        imagePort = images.getAddress().getPort();
        probe = probe("127.0.0.1:" + imagePort, Duration.ofSeconds(3), 4);
    }

    ImageProbe probe(String allow, Duration deadline, int concurrent) {
        ImageProbe p = new ImageProbe(deadline, 1024 * 1024, 2000, AddressPolicy.allowing(allow), concurrent);
        probes.add(p);
        return p;
    }

    static void redirect(com.sun.net.httpserver.HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().add("Location", to);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    @AfterEach
    void stop() {
        images.stop(0);
        internal.stop(0);
        probes.forEach(ImageProbe::close);
    }

    String img(String path) {
        return "http://127.0.0.1:" + imagePort + path;
    }

    @Test
    void an_allowed_host_is_fetched_and_checked() {
        assertThat(probe.check(img("/ok.png"))).isNull();
        assertThat(probe.check(img("/chunked.png"))).isNull();
        assertThat(probe.check(img("/hop"))).as("a redirect to an allowed address").isNull();
        assertThat(probe.check(img("/huge.png")).code()).isEqualTo("IMAGE_FILE_SIZE_NOT_VALID");
    }

    @Test
    void internal_addresses_are_refused_however_they_are_written_and_receive_nothing() {
        List<String> links = new ArrayList<>(List.of(
                "http://127.0.0.1:" + internalPort + "/secret",
                "http://localhost:" + internalPort + "/secret",
                "http://LOCALHOST:" + internalPort + "/secret",
                "http://127.1:" + internalPort + "/secret",
                "http://2130706433:" + internalPort + "/secret",
                "http://0x7f000001:" + internalPort + "/secret",
                "http://0.0.0.0:" + internalPort + "/secret",
                "http://[::1]:" + internalPort + "/secret",
                "http://[::ffff:127.0.0.1]:" + internalPort + "/secret",
                "http://[::]:" + internalPort + "/secret",
                "http://127.0.0.1:" + imagePort + "@127.0.0.1:" + internalPort + "/secret",
                // the image server's address on another port is not the allowed host:port
                "http://127.0.0.1:" + internalPort + "/ok.png"));
        for (String link : links) {
            Rejection r = probe.check(link);
            assertThat(r).as(link).isNotNull();
            assertThat(r.code()).as(link).isIn("IMAGE_URL_NOT_ALLOWED", "IMAGE_NOT_FOUND", "IMAGE_URL_NOT_VALID");
            assertThat(r.message()).as(link).doesNotContain("Connection refused", "Exception", "java.", "timed out");
        }
        assertThat(probe.check("http://127.0.0.1:" + internalPort + "/secret").code()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
        assertThat(probe.check("http://localhost:" + internalPort + "/secret").code()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
        assertThat(internalHits.get()).as("requests the internal server received").isZero();
    }

    @Test
    void private_link_local_multicast_and_unspecified_addresses_are_refused_before_any_connection() {
        for (String host : List.of("169.254.169.254", "10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1",
                "224.0.0.1", "255.255.255.255", "0.0.0.0", "[fe80::1]", "[fc00::1]", "[ff02::1]",
                "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]", "198.18.0.1")) {
            long start = System.nanoTime();
            Rejection r = probe.check("http://" + host + "/latest/meta-data/");
            assertThat(r).as(host).isNotNull();
            assertThat(r.code()).as(host).isEqualTo("IMAGE_URL_NOT_ALLOWED");
            assertThat(r.message()).as(host).doesNotContain(host.replace("[", "").replace("]", ""));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(host + ": refused, not tried")
                    .isLessThan(Duration.ofMillis(500));
        }
    }

    @Test
    void every_redirect_is_checked_again_and_never_followed_to_a_refused_address() {
        for (String path : List.of("/to-internal", "/to-localhost", "/to-decimal", "/to-metadata")) {
            Rejection r = probe.check(img(path));
            assertThat(r).as(path).isNotNull();
            assertThat(r.code()).as(path).isEqualTo("IMAGE_URL_NOT_ALLOWED");
            assertThat(r.message()).as(path).contains("redirects");
        }
        assertThat(probe.check(img("/to-file")).code()).isEqualTo("IMAGE_NOT_FOUND");
        Rejection loop = probe.check(img("/loop"));
        assertThat(loop.code()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(loop.message()).contains("redirects more than " + ImageProbe.MAX_REDIRECTS);
        assertThat(internalHits.get()).as("requests the internal server received").isZero();
    }

    @Test
    void without_an_allow_list_no_loopback_address_is_fetched() {
        ImageProbe live = new ImageProbe(Duration.ofSeconds(2), 1024 * 1024, 2000);
        probes.add(live);
        assertThat(live.check(img("/ok.png")).code()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
        assertThat(live.check("http://127.0.0.1:" + internalPort + "/").code()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
        assertThat(internalHits.get()).isZero();
        // an allow-list entry by host name allows that name only
        ImageProbe byName = probe("localhost:" + imagePort, Duration.ofSeconds(2), 2);
        assertThat(byName.check("http://localhost:" + imagePort + "/ok.png")).isNull();
        assertThat(byName.check("http://localhost:" + internalPort + "/ok.png").code()).isEqualTo("IMAGE_URL_NOT_ALLOWED");
    }

    @Test
    void a_host_that_drips_is_cut_off_at_the_deadline_of_the_whole_fetch() {
        ImageProbe quick = probe("127.0.0.1:" + imagePort, Duration.ofMillis(1500), 2);
        long start = System.nanoTime();
        Rejection r = quick.check(img("/drip.png"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(r.code()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(r.message()).contains("did not arrive whole within 1500 ms");
        assertThat(took).isLessThan(Duration.ofMillis(2500));
    }

    @Test
    void a_caller_that_cannot_wait_is_told_at_once_when_every_place_is_taken() throws Exception {
        ImageProbe two = probe("127.0.0.1:" + imagePort, Duration.ofSeconds(3), 2);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Future<Rejection>> slow = List.of(callers.submit(() -> two.check(img("/drip.png"))),
                    callers.submit(() -> two.check(img("/drip.png"))));
            Thread.sleep(300);
            long start = System.nanoTime();
            Rejection busy = two.check(img("/ok.png"), false);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(busy.code()).isEqualTo("IMAGE_CHECK_BUSY");
            for (Future<Rejection> f : slow) {
                assertThat(f.get().code()).isEqualTo("IMAGE_NOT_FOUND");
            }
            // the places are free again once the slow ones ended
            assertThat(two.check(img("/ok.png"), false)).isNull();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void the_address_policy_knows_the_special_ranges() throws Exception {
        for (String a : List.of("127.0.0.1", "10.1.2.3", "172.31.255.255", "192.168.0.1", "169.254.169.254", "0.0.0.0",
                "100.127.0.1", "224.0.0.251", "240.0.0.1", "::1", "::", "fe80::1", "fd12::1", "ff05::2",
                "::ffff:10.0.0.1", "2002:0a00:0001::", "64:ff9b::7f00:1", "2001:db8::1")) {
            assertThat(AddressPolicy.isPublic(InetAddress.getByName(a))).as(a).isFalse();
        }
        for (String a : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111",
                "2002:0808:0808::")) {
            assertThat(AddressPolicy.isPublic(InetAddress.getByName(a))).as(a).isTrue();
        }
        AddressPolicy p = AddressPolicy.allowing("10.0.0.0/8, [fd00::1]:8443, images.intranet");
        assertThat(p.allows(InetAddress.getByName("10.9.8.7"), 80)).isTrue();
        assertThat(p.allows(InetAddress.getByName("11.0.0.1"), 80)).isTrue(); // public anyway
        assertThat(p.allows(InetAddress.getByName("192.168.1.1"), 80)).isFalse();
        assertThat(p.allows(InetAddress.getByName("fd00::1"), 8443)).isTrue();
        assertThat(p.allows(InetAddress.getByName("fd00::1"), 443)).isFalse();
        assertThat(p.allowsHost("IMAGES.intranet", 80)).isTrue();
        for (String bad : List.of("10.0.0.0/33", "a b", "127.0.0.1:99999", "[::1")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> AddressPolicy.allowing(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
