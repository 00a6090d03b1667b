package dev.soracamel.validate;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;

import javax.imageio.ImageIO;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ImageProbeTest {

    HttpServer server;
    String base;
    // the test's image server is on loopback, which only an allow-list entry opens
    final ImageProbe probe = new ImageProbe(Duration.ofSeconds(2), 5L * 1024 * 1024, 2000,
            AddressPolicy.allowing("127.0.0.1"), 4);

    static byte[] image(String format, int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB), format, out);
        return out.toByteArray();
    }

    @BeforeEach
    void serve() throws Exception {
        byte[] huge = new byte[5 * 1024 * 1024 + 10];
        System.arraycopy(image("png", 10, 10), 0, huge, 0, 8);
        Map<String, byte[]> files = Map.of(
                "/ok.png", image("png", 1920, 1080),
                "/ok.jpg", image("jpg", 2000, 500),
                "/wide.png", image("png", 2400, 100),
                "/pic.gif", image("gif", 10, 10),
                "/huge.png", huge);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] b = files.get(ex.getRequestURI().getPath());
            if (b == null) {
                ex.sendResponseHeaders(404, -1);
            } else {
                ex.sendResponseHeaders(200, b.length);
                ex.getResponseBody().write(b);
            }
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void images_are_checked_as_the_provider_will() {
        assertThat(probe.check(base + "/ok.png")).isNull();
        assertThat(probe.check(base + "/ok.jpg")).isNull();
        assertThat(probe.check(base + "/wide.png").code()).isEqualTo("IMAGE_FILE_SIZE_NOT_VALID");
        assertThat(probe.check(base + "/wide.png").message()).contains("2400x100");
        assertThat(probe.check(base + "/pic.gif").code()).isEqualTo("IMAGE_MIME_TYPE_NOT_VALID");
        assertThat(probe.check(base + "/huge.png").code()).isEqualTo("IMAGE_FILE_SIZE_NOT_VALID");
        assertThat(probe.check(base + "/missing.png").code()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(probe.check("http://127.0.0.1:1/closed.png").code()).isEqualTo("IMAGE_NOT_FOUND");
    }
}
