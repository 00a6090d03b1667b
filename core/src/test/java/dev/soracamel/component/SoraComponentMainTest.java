package dev.soracamel.component;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.soracamel.SoraPipeline;
import dev.soracamel.job.JobState;
import dev.soracamel.embed.SandboxHostSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A Camel Main host with properties and YAML routes only: no Java call installs the pipeline. */
class SoraComponentMainTest extends SandboxHostSupport {

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
        Properties p = yesAiPipeline("orders");
        p.put("camel.main.routes-include-pattern", "file:" + routes);
        p.put("orders.outbox", dir.resolve("outbox").toString());
        p.put("orders.dead-letter.folder", dir.resolve("dead").toString());
        main = new Main();
        main.setInitialProperties(p);
        main.start();
        CamelContext ctx = main.getCamelContext();

        Map<?, ?> answer = ctx.createProducerTemplate().requestBody("direct:orders-in",
                SoraComponentTest.REQUEST.formatted("y1"), Map.class);
        assertThat(answer.get("outcome")).isEqualTo("accepted");
        SoraPipeline orders = ctx.getRegistry().lookupByNameAndType("ordersPipeline", SoraPipeline.class);
        await(() -> orders.board().find("y1").map(j -> j.state == JobState.STORED).orElse(false),
                Duration.ofSeconds(30));
        assertThat(Files.size(dir.resolve("host-videos/shop-1/y1.mp4"))).isPositive();
        assertThat(dir.resolve("host-videos/shop-1/y1.json")).exists();
        assertThat(dir.resolve("outbox")).doesNotExist();
    }
}
