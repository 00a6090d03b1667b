package dev.soracamel.examples.main;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example host as it ships (its application.properties and routes/orders.yaml), with only the provider and
 * the folders pointed elsewhere: at the simulator, started here, and under target/.
 */
class CamelMainHostTest {

    static final double SCALE = 0.01;
    static final String REQUEST = """
            {"request_id": "%s", "version": "2", "prompt": "A lighthouse in a storm at night", "resolution": 720,
             "dimensions": "16:9", "duration": %d, "customer_id": "shop-1"}""";

    static final TypeReference<Map<String, Object>> ANSWER = new TypeReference<>() {
    };

    Path dir;
    SandboxServer sandbox;
    Main main;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(Path.of("target", "host-test"));
        dir = Files.createTempDirectory(Path.of("target", "host-test"), "camel-main-").toAbsolutePath();
        sandbox = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(5));
        main = new Main(OrdersApp.class);
        // override properties win over the host's file: everything else is read from it
        main.addOverrideProperty("orders.provider.yesai.base-url", sandbox.baseUrl());
        main.addOverrideProperty("orders.provider.yesai.token", "sandbox-token");
        // a shrunk provider schedule: refused unless the provider is on loopback
        main.addOverrideProperty("orders.time-scale", String.valueOf(SCALE));
        main.addOverrideProperty("orders.tick-ms", "5");
        // the pipeline's own folders too (work, and the dead-letter folder its redrive reads): none outside target/
        main.addOverrideProperty("orders.work", dir.resolve("work").toString());
        main.addOverrideProperty("orders.dead-letter.folder", dir.resolve("dead-letter").toString());
        for (String folder : new String[] {"requests", "answers", "videos", "rejects"}) {
            main.addOverrideProperty("host." + folder, dir.resolve(folder).toString());
        }
    }

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
        sandbox.close();
    }

    @Test
    void a_request_file_becomes_one_stored_video_and_a_bad_request_is_answered_rejected() throws Exception {
        main.start();
        CamelContext ctx = main.getCamelContext();
        SoraPipeline orders = ctx.getRegistry().lookupByNameAndType("ordersPipeline", SoraPipeline.class);
        assertThat(orders).as("installed by sora:orders in the host's routes").isNotNull();
        assertThat(orders.settings().providers().get("yesai").activeTasks())
                .as("orders.provider.yesai.tariff = Standard, from the host's application.properties").isEqualTo(5);

        // the producer alone: the answer's headers
        Exchange bad = ctx.createProducerTemplate().request("sora:orders",
                e -> e.getMessage().setBody(REQUEST.formatted("bad-1", 25)));
        assertThat(bad.getException()).isNull();
        assertThat(bad.getMessage().getHeader("SoraOutcome")).isEqualTo("rejected");
        assertThat(bad.getMessage().getHeader("SoraCode")).isEqualTo("DURATION_NOT_FOUND");

        // the host's own route: a file of two requests, each answered on its own
        Files.createDirectories(dir.resolve("requests"));
        Path tmp = dir.resolve("batch.tmp");
        Files.writeString(tmp, "[" + REQUEST.formatted("good-1", 10) + ", " + REQUEST.formatted("bad-2", 7) + "]");
        Files.move(tmp, dir.resolve("requests/batch.json"));

        Path video = dir.resolve("videos/shop-1/good-1.mp4");
        await(() -> Files.exists(dir.resolve("answers/batch-1.json")) && Files.exists(video)
                && Files.exists(dir.resolve("videos/shop-1/good-1.json")), Duration.ofSeconds(25));
        ObjectMapper json = new ObjectMapper();
        Map<String, Object> accepted = json.readValue(dir.resolve("answers/batch-0.json").toFile(), ANSWER);
        assertThat(accepted).containsEntry("outcome", "accepted").containsEntry("job_id", "good-1");
        Map<String, Object> rejected = json.readValue(dir.resolve("answers/batch-1.json").toFile(), ANSWER);
        assertThat(rejected).containsEntry("outcome", "rejected");
        assertThat(rejected.get("code")).isNotNull();

        try (InputStream in = Files.newInputStream(video)) {
            byte[] head = in.readNBytes(8);
            assertThat(new String(head, 4, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("ftyp");
        }
        assertThat(sandbox.stats().tasksCreated()).as("paid once, for the one good request").isEqualTo(1);
        assertThat(dir.resolve("requests/.done/batch.json")).exists();
        assertThat(dir.resolve("rejects")).as("a rejected request is answered, not dead-lettered").doesNotExist();
    }

    static void await(BooleanSupplier done, Duration max) throws InterruptedException {
        Instant end = Instant.now().plus(max);
        while (!done.getAsBoolean()) {
            assertThat(Instant.now()).as("still waiting after " + max).isBefore(end);
            Thread.sleep(20);
        }
    }
}
