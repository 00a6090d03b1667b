package dev.soracamel.embed;

import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import dev.soracamel.SoraPipeline;
import dev.soracamel.job.JobState;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Camel Main host configured in code, with no application.properties of its own: the library's jar must not
 * hand it the standalone run's settings, routes or logging configuration through the classpath's root.
 */
class CamelMainHostTest extends SandboxHostSupport {

    @Test
    void the_library_puts_nothing_of_the_standalone_run_at_the_classpath_root() {
        ClassLoader cl = SoraPipeline.class.getClassLoader();
        for (String root : new String[] {"application.properties", "log4j2.properties", "log4j2.xml", "examples/"}) {
            assertThat(cl.getResource(root)).as(root + " at the root would be a host's file").isNull();
        }
        // the standalone run's settings live in the app module: the library has none, not even off its root
        assertThat(cl.getResource("dev/soracamel/app/application.properties")).isNull();
    }

    @Test
    void a_camel_main_host_without_settings_files_runs_a_pipeline_it_installs_itself() throws Exception {
        Properties p = yesAiPipeline("orders");
        p.put("orders.store.endpoint", "file:" + dir.resolve("videos"));
        p.put("orders.dead-letter.endpoint", "file:" + dir.resolve("rejects"));
        // the redrive files are looked for in the dead-letter folder: under the test's own, not the module's data/
        p.put("orders.dead-letter.folder", dir.resolve("rejects").toString());
        main = new Main();
        main.setInitialProperties(p);
        SoraPipeline[] installed = new SoraPipeline[1];
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeConfigure(BaseMainSupport m) {
                try {
                    CamelContext ctx = m.getCamelContext();
                    SoraPipeline.loadTemplates(ctx);
                    installed[0] = SoraPipeline.install(ctx, SoraPipeline.Options.named("orders"));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        main.start();
        CamelContext ctx = main.getCamelContext();
        assertThat(ctx.getRoute("rest-post-job")).as("no standalone REST route found through our settings").isNull();
        assertThat(ctx.getRoute("orders-submit-yesai")).isNotNull();

        Map<?, ?> answer = ctx.createProducerTemplate().requestBody(installed[0].requestEndpoint(), """
                {"request_id": "m1", "version": "2", "prompt": "A kite over a windy beach", "resolution": 720,
                 "dimensions": "16:9", "duration": 10, "customer_id": "host"}""", Map.class);
        assertThat(answer.get("job_id")).isEqualTo("m1");
        await(() -> installed[0].board().find("m1").map(j -> j.state == JobState.STORED).orElse(false),
                Duration.ofSeconds(30));
        assertThat(dir.resolve("videos")).isDirectoryRecursivelyContaining("glob:**/m1.mp4");
    }
}
