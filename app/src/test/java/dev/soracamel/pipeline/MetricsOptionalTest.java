package dev.soracamel.pipeline;

import java.time.Duration;
import java.util.Properties;

import dev.soracamel.flow.FlowEvents;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Without a Micrometer registry (camel.metrics off, or a host that binds none) the pipeline runs the same,
 * nothing listens to its steps, and the providers' readiness checks still answer.
 */
class MetricsOptionalTest extends PipelineTestSupport {

    @Override
    protected void configure(Properties p) {
        p.put("camel.metrics.enabled", "false");
    }

    @Test
    void the_pipeline_runs_without_a_meter_registry_and_its_readiness_checks_still_answer() throws Exception {
        assertThat(context.getRegistry().findByType(io.micrometer.core.instrument.MeterRegistry.class)).isEmpty();
        assertThat(board().observer()).isSameAs(FlowEvents.NONE);

        drop("plain.json", v2("A lighthouse in the fog", "c1"));
        awaitSettled(1, Duration.ofSeconds(30));

        assertThat(storedCount()).isEqualTo(1);
        HealthCheck.Result ours = HealthCheckHelper.invokeReadiness(context, "full").stream()
                .filter(r -> r.getCheck().getId().equals("sora-provider-yesai")).findFirst().orElseThrow();
        assertThat(ours.getState()).isEqualTo(HealthCheck.State.UP);
        assertThat(ours.getCheck().isLiveness()).isFalse();
    }
}
