package dev.soracamel.examples.springboot;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;

import dev.soracamel.SoraPipeline;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.SLF4JServiceProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The example host as it ships (its application.yml and OrdersRoutes), with only the provider and the folders
 * pointed elsewhere: at the simulator, started here, and under target/.
 */
@CamelSpringBootTest
@SpringBootTest(classes = {OrdersApplication.class, SpringBootHostTest.Provider.class})
@DirtiesContext
class SpringBootHostTest {

    static final double SCALE = 0.01;
    static final String REQUEST = """
            {"request_id": "%s", "version": "2", "prompt": "A lighthouse in a storm at night", "resolution": 720,
             "dimensions": "16:9", "duration": %d, "customer_id": "shop-1"}""";

    static SandboxServer sandbox;
    static Path dir;

    @Autowired
    CamelContext camel;
    @Autowired
    ProducerTemplate template;

    // runs before the context is built: the provider must listen before the pipeline starts
    @DynamicPropertySource
    static void provider(DynamicPropertyRegistry registry) throws IOException {
        Files.createDirectories(Path.of("target", "host-test"));
        dir = Files.createTempDirectory(Path.of("target", "host-test"), "spring-boot-").toAbsolutePath();
        sandbox = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(3));
        registry.add("orders.provider.yesai.base-url", sandbox::baseUrl);
        registry.add("orders.provider.yesai.token", () -> "sandbox-token");
        // a shrunk provider schedule: refused unless the provider is on loopback
        registry.add("orders.time-scale", () -> String.valueOf(SCALE));
        registry.add("orders.tick-ms", () -> "5");
        // the pipeline's own folders too (work, and the dead-letter folder its redrive reads): none outside target/
        registry.add("orders.work", () -> dir.resolve("work").toString());
        registry.add("orders.dead-letter.folder", () -> dir.resolve("dead-letter").toString());
        for (String folder : new String[] {"requests", "videos", "rejects"}) {
            registry.add("host." + folder, () -> dir.resolve(folder).toString());
        }
        // the application.yml keeps a standalone run alive; here the test's end is the run's end
        registry.add("camel.main.run-controller", () -> "false");
    }

    /** The simulator as a bean of the test's context: closed after Camel has stopped, never under it. */
    @TestConfiguration(proxyBeanMethods = false)
    static class Provider {
        @Bean(destroyMethod = "close")
        SandboxServer sandbox() {
            return sandbox;
        }
    }

    @Test
    void the_hosts_application_yml_configures_the_pipeline() {
        SoraPipeline orders = camel.getRegistry().lookupByNameAndType("ordersPipeline", SoraPipeline.class);
        assertThat(orders).as("installed by sora:orders in OrdersRoutes").isNotNull();
        // both keys are in application.yml only
        assertThat(orders.settings().maxSubmitRetries()).isEqualTo(4);
        assertThat(orders.settings().providers().get("yesai").activeTasks()).as("tariff Start").isEqualTo(3);
        assertThat(orders.settings().work()).isEqualTo(dir.resolve("work"));
    }

    @Test
    void spring_logs_through_one_slf4j_provider_logback() {
        assertThat(LoggerFactory.getILoggerFactory().getClass().getName())
                .isEqualTo("ch.qos.logback.classic.LoggerContext");
        assertThat(ServiceLoader.load(SLF4JServiceProvider.class).stream().map(p -> p.type().getName()))
                .containsExactly("ch.qos.logback.classic.spi.LogbackServiceProvider");
    }

    @Test
    void a_request_becomes_one_stored_video_and_a_bad_one_is_rejected() throws Exception {
        Exchange bad = template.request("sora:orders", e -> e.getMessage().setBody(REQUEST.formatted("bad-1", 25)));
        assertThat(bad.getException()).isNull();
        assertThat(bad.getMessage().getHeader("SoraOutcome")).isEqualTo("rejected");
        assertThat(bad.getMessage().getHeader("SoraCode")).isEqualTo("DURATION_NOT_FOUND");

        Exchange good = template.request("sora:orders", e -> e.getMessage().setBody(REQUEST.formatted("good-1", 10)));
        assertThat(good.getException()).isNull();
        assertThat(good.getMessage().getHeader("SoraOutcome")).isEqualTo("accepted");
        assertThat(good.getMessage().getHeader("SoraJobId")).isEqualTo("good-1");

        Path video = dir.resolve("videos/shop-1/good-1.mp4");
        await(() -> Files.exists(video) && Files.exists(dir.resolve("videos/shop-1/good-1.json")),
                Duration.ofSeconds(25));
        assertThat(ftyp(video)).isEqualTo("ftyp");

        // the host's file route: the same request again is a duplicate, answered without a second task
        Files.createDirectories(dir.resolve("requests"));
        Path tmp = dir.resolve("again.tmp");
        Files.writeString(tmp, REQUEST.formatted("good-1", 10));
        Files.move(tmp, dir.resolve("requests/again.json"));
        await(() -> Files.exists(dir.resolve("requests/.done/again.json")), Duration.ofSeconds(10));
        assertThat(sandbox.stats().tasksCreated()).as("paid once, for the one good request").isEqualTo(1);
        assertThat(dir.resolve("rejects")).as("a rejected request is answered, not dead-lettered").doesNotExist();
    }

    static String ftyp(Path mp4) {
        try (InputStream in = Files.newInputStream(mp4)) {
            byte[] head = in.readNBytes(8);
            return new String(head, 4, 4, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void await(BooleanSupplier done, Duration max) throws InterruptedException {
        Instant end = Instant.now().plus(max);
        while (!done.getAsBoolean()) {
            assertThat(Instant.now()).as("still waiting after " + max).isBefore(end);
            Thread.sleep(20);
        }
    }
}
