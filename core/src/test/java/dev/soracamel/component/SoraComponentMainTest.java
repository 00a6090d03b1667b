package dev.soracamel.component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.soracamel.SoraPipeline;
import dev.soracamel.job.JobState;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A Camel Main host with properties and YAML routes only: no Java call installs the pipeline. */
class SoraComponentMainTest {

    Path dir;
    SandboxServer sandbox;
    Main main;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(Path.of("target", "test-work"));
        dir = Files.createTempDirectory(Path.of("target", "test-work"), "SoraComponentMainTest-").toAbsolutePath();
        sandbox = SandboxServer.start(new SandboxConfig().timeScale(SoraComponentTest.SCALE).activeTaskLimit(2));
    }

    @AfterEach
    void stop() {
        if (main != null) {
            main.stop();
        }
        sandbox.close();
    }

    @Test
    void properties_and_yaml_routes_are_enough() throws Exception {
        Path routes = dir.resolve("host-routes.yaml");
        Files.writeString(routes, """
                - route:
                    id: host-orders
                    from:
                      uri: direct:orders-in
                      steps:
                        - to: sora:orders
                - route:
                    id: host-videos
                    from:
                      uri: sora:orders?event=stored
                      steps:
                        - to: file:%s
                """.formatted(dir.resolve("host-videos")));
        Properties p = new Properties();
        p.put("camel.main.routes-include-pattern", "file:" + routes);
        p.put("orders.work", dir.resolve("work").toString());
        p.put("orders.outbox", dir.resolve("outbox").toString());
        p.put("orders.dead-letter.folder", dir.resolve("dead").toString());
        p.put("orders.time-scale", String.valueOf(SoraComponentTest.SCALE));
        p.put("orders.provider.yesai.base-url", sandbox.baseUrl());
        p.put("orders.provider.yesai.token", "sandbox-token");
        p.put("orders.provider.yesai.tariff", "2");
        p.put("orders.validation.check-image", "false");
        p.put("orders.intake.folder.enabled", "false");
        p.put("orders.tick-ms", "5");
        main = new Main();
        main.setInitialProperties(p);
        main.start();
        CamelContext ctx = main.getCamelContext();

        Map<?, ?> answer = ctx.createProducerTemplate().requestBody("direct:orders-in",
                SoraComponentTest.REQUEST.formatted("y1"), Map.class);
        assertThat(answer.get("outcome")).isEqualTo("accepted");
        SoraPipeline orders = ctx.getRegistry().lookupByNameAndType("ordersPipeline", SoraPipeline.class);
        SoraComponentTest.await(() -> orders.board().find("y1").map(j -> j.state == JobState.STORED).orElse(false),
                Duration.ofSeconds(30));
        assertThat(Files.size(dir.resolve("host-videos/shop-1/y1.mp4"))).isPositive();
        assertThat(dir.resolve("host-videos/shop-1/y1.json")).exists();
        assertThat(dir.resolve("outbox")).doesNotExist();
    }
}
