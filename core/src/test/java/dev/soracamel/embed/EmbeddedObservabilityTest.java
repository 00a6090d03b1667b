package dev.soracamel.embed;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import dev.soracamel.SoraPipeline;
import dev.soracamel.job.JobState;
import dev.soracamel.sandbox.Dialect;
import dev.soracamel.sandbox.SandboxServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Health and metrics of two pipelines installed in a host's plain CamelContext, with the host's own
 * Micrometer registry: each pipeline's checks and meters apart, a pause seen by its own check only, and the
 * meters taken out of the host's registry when the context stops.
 */
class EmbeddedObservabilityTest extends SandboxHostSupport {

    final MeterRegistry meters = new SimpleMeterRegistry();

    @Override
    protected void accounts(SandboxServer sandbox) {
        sandbox.addAccount("beta-token", 1, Dialect.GATEWAY);
    }

    @BeforeEach
    void hostRegistry() {
        // the host's own registry, under a name of its choosing
        ctx.getRegistry().bind("hostMeters", meters);
    }

    Properties config() {
        Properties p = new Properties();
        for (String name : new String[] {"alpha", "beta"}) {
            p.put(name + ".work", dir.resolve(name + "-work").toString());
            p.put(name + ".time-scale", String.valueOf(SCALE));
            p.put(name + ".validation.check-image", "false");
            p.put(name + ".intake.folder.enabled", "false");
            p.put(name + ".intake.endpoint", "direct:" + name + "-orders");
            p.put(name + ".store.endpoint", "file:" + dir.resolve(name + "-videos"));
            p.put(name + ".dead-letter.endpoint", "file:" + dir.resolve(name + "-rejects"));
            p.put(name + ".tick-ms", "5");
            p.put(name + ".pause.recheck-cron", "* * * * * ?");
        }
        p.put("alpha.provider.yesai.base-url", sandbox.baseUrl());
        p.put("alpha.provider.yesai.token", "sandbox-token");
        p.put("alpha.provider.yesai.tariff", "2");
        p.put("beta.providers", "gateway");
        p.put("beta.provider.gateway.type", "openai-compatible");
        p.put("beta.provider.gateway.base-url", sandbox.baseUrl());
        p.put("beta.provider.gateway.token", "beta-token");
        p.put("beta.provider.gateway.tariff", "1");
        return p;
    }

    @Test
    void each_pipeline_has_its_checks_and_meters_in_the_hosts_registries() throws Exception {
        ctx.getPropertiesComponent().setInitialProperties(config());
        SoraPipeline alpha = SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha"));
        SoraPipeline beta = SoraPipeline.install(ctx, SoraPipeline.Options.named("beta"));
        ctx.start();

        var host = ctx.createProducerTemplate();
        host.sendBody("direct:alpha-orders", """
                {"request_id": "a1", "version": "2", "prompt": "A lighthouse in a storm at night", "resolution": 720,
                 "dimensions": "16:9", "duration": 10, "customer_id": "shop-1"}""");
        host.sendBody("direct:beta-orders", """
                {"request_id": "b1", "model": "sora-2", "prompt": "A red kite over green hills", "size": "1280x720",
                 "seconds": "4", "customer_id": "desk"}""");
        await(() -> stored(alpha) == 1 && stored(beta) == 1, Duration.ofSeconds(60));

        assertThat(gauge("alpha", "yesai", "stored")).isEqualTo(1);
        assertThat(gauge("beta", "gateway", "stored")).isEqualTo(1);
        assertThat(calls("alpha", "submit", "created")).isEqualTo(sandbox.stats("sandbox-token").tasksCreated()).isEqualTo(1);
        assertThat(calls("beta", "submit", "created")).isEqualTo(sandbox.stats("beta-token").tasksCreated()).isEqualTo(1);
        assertThat(meters.get("sora.submit.to.stored").tags("pipeline", "beta").timer().count()).isEqualTo(1);
        assertThat(check("alpha-provider-yesai").getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(check("beta-provider-gateway").getState()).isEqualTo(HealthCheck.State.UP);

        // alpha's account runs dry: its check goes DOWN with the reason, beta's stays UP
        sandbox.setRpoints("sandbox-token", 0);
        host.sendBody("direct:alpha-orders", """
                {"request_id": "a2", "version": "2", "prompt": "A quiet harbour at dawn", "resolution": 720,
                 "dimensions": "16:9", "duration": 10, "customer_id": "shop-1"}""");
        await(() -> check("alpha-provider-yesai").getState() == HealthCheck.State.DOWN, Duration.ofSeconds(10));
        assertThat(check("alpha-provider-yesai").getDetails()).containsEntry("pause.code", "NOT_ENOUGH_RPOINTS");
        assertThat(check("beta-provider-gateway").getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(meters.get("sora.provider.paused").tags("pipeline", "alpha").gauge().value()).isEqualTo(1);

        sandbox.setRpoints("sandbox-token", -1);
        await(() -> stored(alpha) == 2, Duration.ofSeconds(30));
        assertThat(check("alpha-provider-yesai").getState()).isEqualTo(HealthCheck.State.UP);

        ctx.stop();
        assertThat(meters.find("sora.jobs").meters()).as("the host's registry outlives the pipelines").isEmpty();
        assertThat(meters.find("sora.api.calls").meters()).isEmpty();
    }

    private static long stored(SoraPipeline p) {
        return p.board().queries().all().stream().filter(j -> j.state == JobState.STORED).count();
    }

    private double gauge(String pipeline, String provider, String state) {
        return meters.get("sora.jobs").tags("pipeline", pipeline, "provider", provider, "state", state).gauge().value();
    }

    private double calls(String pipeline, String endpoint, String outcome) {
        return meters.get("sora.api.calls").tags("pipeline", pipeline, "endpoint", endpoint, "outcome", outcome)
                .counters().stream().mapToDouble(c -> c.count()).sum();
    }

    private HealthCheck.Result check(String id) {
        Optional<HealthCheck.Result> r = HealthCheckHelper.invoke(ctx, id, Map.of());
        return r.orElseThrow(() -> new AssertionError("no health check " + id));
    }
}
