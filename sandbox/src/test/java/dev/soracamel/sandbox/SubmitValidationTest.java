package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.soracamel.sandbox.SandboxTestClient.Reply;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every submit rule answers its own code and status, in the documented order, and creates no task. One
 * sandbox serves the whole class; failing cases must leave its task count unchanged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubmitValidationTest {

    private static final double SCALE = 0.01;
    private static final Object REMOVE = new Object();

    private SandboxServer server;
    private SandboxTestClient client;
    private HttpServer images;
    private final AtomicInteger imageFetches = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        // The sandbox first: it sets the JDK server's no-delay switch, read by the first HttpServer made.
        server = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(1000));
        client = new SandboxTestClient(server, SCALE, "sandbox-token");
        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serve("/ok.png", png(64, 32));
        serve("/ok.jpg", jpeg(32, 64));
        serve("/wide.png", png(2001, 4));
        serve("/tall.jpg", jpeg(4, 2001));
        serve("/edge.png", png(2000, 2000));
        byte[] big = new byte[ImageProbe.MAX_BYTES + 1];
        System.arraycopy(png(4, 4), 0, big, 0, 64);
        serve("/big.png", big);
        serve("/text.png", "just some text pretending".getBytes());
        images.start();
    }

    @AfterAll
    void stop() {
        images.stop(0);
        server.close();
    }

    static Stream<Arguments> invalidBodies() {
        return Stream.of(
                // step 4: version
                bad(400, "VERSION_IS_EMPTY", "version", REMOVE),
                bad(400, "VERSION_IS_EMPTY", "version", ""),
                bad(400, "VERSION_IS_EMPTY", "version", null),
                bad(400, "VERSION_NOT_VALID", "version", 2),
                bad(404, "VERSION_NOT_FOUND", "version", "3"),
                bad(404, "VERSION_NOT_FOUND", "version", "2-pro"),
                // step 5: prompt
                bad(400, "PROMPT_IS_EMPTY", "prompt", REMOVE),
                bad(400, "PROMPT_IS_EMPTY", "prompt", "   "),
                bad(400, "PROMPT_NOT_VALID", "prompt", 42),
                bad(400, "PROMPT_NOT_VALID", "prompt", "fox"),
                bad(400, "PROMPT_NOT_VALID", "prompt", "fox [sandbox:reject]"),
                // step 6: resolution
                bad(400, "RESOLUTION_IS_EMPTY", "resolution", REMOVE),
                bad(400, "RESOLUTION_NOT_VALID", "resolution", "720"),
                bad(400, "RESOLUTION_NOT_VALID", "resolution", 720.5),
                bad(404, "RESOLUTION_NOT_FOUND", "resolution", 1080),
                bad(404, "RESOLUTION_NOT_FOUND", "version", "2.pro", "resolution", 480),
                // step 7: dimensions
                bad(400, "DIMENSIONS_IS_EMPTY", "dimensions", REMOVE),
                bad(400, "DIMENSIONS_NOT_VALID", "dimensions", 16),
                bad(404, "DIMENSIONS_NOT_FOUND", "dimensions", "1:1"),
                // step 8: duration
                bad(400, "DURATION_IS_EMPTY", "duration", REMOVE),
                bad(400, "DURATION_NOT_VALID", "duration", "10"),
                bad(404, "DURATION_NOT_FOUND", "duration", 15),
                bad(404, "DURATION_NOT_FOUND", "duration", 5),
                bad(404, "DURATION_NOT_FOUND", "version", "2.pro", "duration", 15),
                // step 9: image_url, the form of it
                bad(400, "IMAGE_URL_IS_EMPTY", "image_url", " "),
                bad(400, "IMAGE_URL_NOT_VALID", "image_url", "not a url"),
                bad(400, "IMAGE_URL_NOT_VALID", "image_url", "/relative/image.png"),
                bad(400, "IMAGE_URL_NOT_VALID", "image_url", "ftp://127.0.0.1/image.png"),
                bad(400, "IMAGE_URL_NOT_VALID", "image_url", 7),
                // an address off this machine is never fetched and counts as unreachable
                bad(404, "IMAGE_NOT_FOUND", "image_url", "http://198.51.100.7/image.png"),
                // step 10: customer
                bad(409, "PARAMETERS_IS_NOT_ALLOWED", "customer_id", REMOVE),
                bad(409, "PARAMETERS_IS_NOT_ALLOWED", "customer_id", ""),
                bad(409, "PARAMETERS_IS_NOT_ALLOWED", "customer_id", 12345),
                bad(409, "USER_HAS_BEEN_BANNED", "customer_id", "banned-77"),
                bad(409, "USER_HAS_BEEN_DELETED", "customer_id", "deleted-77"),
                // step 11: prompt filters
                bad(409, "PROMPT_NSFW_WORDS", "prompt", "[sandbox:nsfw] a quiet lake"),
                bad(409, "PROMPT_NSFW_WORDS", "prompt", "a NSFW quiet lake"),
                bad(409, "PROMPT_EN_NSFW_WORDS", "prompt", "a quiet lake [sandbox:nsfw-en]"),
                bad(409, "PROMPT_FAILED_TO_TRANSLATE", "prompt", "a quiet lake [sandbox:untranslatable]"),
                bad(409, "PARAMETERS_IS_NOT_ALLOWED", "prompt", "a quiet lake [sandbox:not-allowed]"),
                // the first failing rule wins
                bad(400, "VERSION_IS_EMPTY", "version", REMOVE, "prompt", REMOVE),
                bad(400, "PROMPT_NOT_VALID", "prompt", "fox", "resolution", "720"),
                bad(404, "DURATION_NOT_FOUND", "duration", 15, "customer_id", "banned-1"),
                bad(409, "USER_HAS_BEEN_BANNED", "customer_id", "banned-1", "prompt", "a nude lake"));
    }

    @ParameterizedTest(name = "[{index}] {2} -> {0} {1}")
    @MethodSource("invalidBodies")
    void invalidBodyIsRefusedWithItsCode(int status, String code, Object[] changes) {
        Map<String, Object> body = SandboxTestClient.validBody("a quiet lake at dawn");
        for (int i = 0; i < changes.length; i += 2) {
            if (changes[i + 1] == REMOVE) {
                body.remove((String) changes[i]);
            } else {
                body.put((String) changes[i], changes[i + 1]);
            }
        }
        assertRefused(client.post(body), status, code);
    }

    @Test
    void bodyThatIsNoJsonObjectIsNotAllowed() {
        assertRefused(client.postRaw("this is not json"), 409, "PARAMETERS_IS_NOT_ALLOWED");
        assertRefused(client.postRaw("[1, 2]"), 409, "PARAMETERS_IS_NOT_ALLOWED");
        assertRefused(client.postRaw(""), 409, "PARAMETERS_IS_NOT_ALLOWED");
    }

    static Stream<Arguments> badImages() {
        return Stream.of(
                Arguments.of("/missing.png", 404, "IMAGE_NOT_FOUND"),
                Arguments.of("/big.png", 400, "IMAGE_FILE_SIZE_NOT_VALID"),
                Arguments.of("/wide.png", 400, "IMAGE_FILE_SIZE_NOT_VALID"),
                Arguments.of("/tall.jpg", 400, "IMAGE_FILE_SIZE_NOT_VALID"),
                Arguments.of("/text.png", 400, "IMAGE_MIME_TYPE_NOT_VALID"));
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @MethodSource("badImages")
    void referenceImageIsFetchedAndChecked(String path, int status, String code) {
        Map<String, Object> body = SandboxTestClient.validBody("a quiet lake at dawn");
        body.put("image_url", imageUrl(path));
        assertRefused(client.post(body), status, code);
    }

    @Test
    void validBodiesCreateTasks() {
        long before = server.stats().tasksCreated();
        int fetchesBefore = imageFetches.get();

        Map<String, Object> pro1080 = SandboxTestClient.validBody("Две кошки спорят \"кто прав\"");
        pro1080.put("version", "2.pro");
        pro1080.put("resolution", 1080);
        pro1080.put("duration", 15);
        pro1080.put("dimensions", "9:16");
        assertCreated(client.post(pro1080), "2.pro");

        Map<String, Object> pro720 = SandboxTestClient.validBody("a quiet lake in Essex");
        pro720.put("version", "2.pro");
        pro720.put("duration", 10);
        assertCreated(client.post(pro720), "2.pro");

        Map<String, Object> nullImage = SandboxTestClient.validBody("a quiet lake at dawn");
        nullImage.put("image_url", null);
        nullImage.put("unknown_field", "ignored");
        assertCreated(client.post(nullImage), "2");

        for (String path : new String[] {"/ok.png", "/ok.jpg", "/edge.png"}) {
            Map<String, Object> withImage = SandboxTestClient.validBody("a quiet lake, first frame " + path);
            withImage.put("image_url", imageUrl(path));
            assertCreated(client.post(withImage), "2");
        }
        assertThat(imageFetches.get() - fetchesBefore).isEqualTo(3);
        assertThat(server.stats().tasksCreated() - before).isEqualTo(6);
    }

    @Test
    void missingOrWrongTokenIsUnauthorized() {
        SandboxTestClient anonymous = new SandboxTestClient(server, SCALE, null);
        assertRefused(anonymous.submit("a quiet lake at dawn"), 401, "UNAUTHORIZED");
        SandboxTestClient wrong = new SandboxTestClient(server, SCALE, "not-the-token");
        assertRefused(wrong.submit("a quiet lake at dawn"), 401, "UNAUTHORIZED");
        Reply status = wrong.status(100_001);
        assertThat(status.httpStatus()).isEqualTo(401);
        assertThat(status.message()).isEqualTo("UNAUTHORIZED");
    }

    @Test
    void statusIdMustBeAPositiveKnownInteger() {
        assertStatusRefused(StatusHandler.PATH, 400, "ID_IS_EMPTY");
        assertStatusRefused(StatusHandler.PATH + "/", 400, "ID_IS_EMPTY");
        assertStatusRefused(StatusHandler.PATH + "/abc", 400, "ID_NOT_VALID");
        assertStatusRefused(StatusHandler.PATH + "/0", 400, "ID_NOT_VALID");
        assertStatusRefused(StatusHandler.PATH + "/-5", 400, "ID_NOT_VALID");
        assertStatusRefused(StatusHandler.PATH + "/12.5", 400, "ID_NOT_VALID");
        assertStatusRefused(StatusHandler.PATH + "/999999", 404, "ID_NOT_FOUND");
        assertStatusRefused(StatusHandler.PATH + "/12345678901234567890123", 404, "ID_NOT_FOUND");
    }

    private void assertStatusRefused(String path, int status, String code) {
        Reply r = client.statusPath(path);
        assertThat(r.httpStatus()).as(path).isEqualTo(status);
        assertThat(r.message()).as(path).isEqualTo(code);
        assertThat(r.body().path("success").asBoolean(true)).isFalse();
    }

    private void assertRefused(Reply reply, int status, String code) {
        long tasks = server.stats().tasksCreated();
        assertThat(reply.httpStatus()).as(reply.toString()).isEqualTo(status);
        assertThat(reply.message()).isEqualTo(code);
        assertThat(reply.body().path("success").asBoolean(true)).isFalse();
        assertThat(server.stats().tasksCreated()).isEqualTo(tasks);
        assertThat(server.stats().postRateBreaches()).isZero();
    }

    private static void assertCreated(Reply reply, String version) {
        assertThat(reply.httpStatus()).as(reply.toString()).isEqualTo(200);
        assertThat(reply.data().path("version").asText()).isEqualTo(version);
        assertThat(reply.taskStatus()).isZero();
    }

    private static Arguments bad(int status, String code, Object... changes) {
        return Arguments.of(status, code, changes);
    }

    private String imageUrl(String path) {
        return "http://127.0.0.1:" + images.getAddress().getPort() + path;
    }

    private void serve(String path, byte[] bytes) {
        images.createContext(path, exchange -> {
            try (exchange) {
                imageFetches.incrementAndGet();
                exchange.sendResponseHeaders(200, bytes.length);
                exchange.getResponseBody().write(bytes);
            }
        });
    }

    private static byte[] png(int w, int h) throws IOException {
        return image(w, h, "png");
    }

    private static byte[] jpeg(int w, int h) throws IOException {
        return image(w, h, "jpg");
    }

    private static byte[] image(int w, int h, String format) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).isTrue();
        return out.toByteArray();
    }
}
