package dev.soracamel.observe;

import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.ProviderView;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one pipeline's health checks and metrics into its CamelContext, whoever serves them: Camel Main's
 * embedded server standalone ({@code /observe/health}, {@code /observe/metrics}), or a host's own
 * (Spring Boot actuator, Quarkus). Both are optional: without camel-health there are no checks, without
 * Micrometer or a registry there are no metrics, and the pipeline runs the same.
 */
public final class Observability extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(Observability.class);
    private static final String MICROMETER = "io.micrometer.core.instrument.MeterRegistry";

    private final CamelContext ctx;
    private final JobBoard board;
    private final String pipeline;
    private PipelineMetrics metrics;

    private Observability(CamelContext ctx, JobBoard board, String pipeline) {
        this.ctx = ctx;
        this.board = board;
        this.pipeline = pipeline;
    }

    /**
     * Registers a readiness check per provider now, and binds the metrics when the context starts (Camel Main
     * creates its registry after the pipeline is installed, and a host may bind its own late).
     *
     * @param pipeline names this pipeline in check ids ({@code <pipeline>-provider-<name>}) and in the
     *                 {@code pipeline} tag of every metric, so that two pipelines can share one context
     */
    public static void install(CamelContext ctx, JobBoard board, String pipeline) throws Exception {
        HealthCheckRegistry checks = HealthCheckRegistry.get(ctx);
        if (checks == null) {
            LOG.info("no health-check registry (camel-health is not on the classpath): no readiness checks for "
                    + "the providers");
        } else {
            for (ProviderView v : board.queries().providerViews()) {
                ProviderReadiness check = new ProviderReadiness(board, pipeline, v.name());
                check.setCamelContext(ctx);
                checks.register(check);
            }
        }
        // started early, before the routes: no call goes uncounted
        ctx.addService(new Observability(ctx, board, pipeline), true, true);
    }

    @Override
    protected void doStart() {
        if (ctx.getClassResolver().resolveClass(MICROMETER) == null) {
            LOG.info("Micrometer is not on the classpath: the pipeline's metrics are not exported");
            return;
        }
        metrics = PipelineMetrics.bind(ctx, board, pipeline);
        if (metrics == null) {
            LOG.info("no Micrometer registry in the context (camel.metrics.enabled=false?): the pipeline's metrics "
                    + "are not exported");
            return;
        }
        board.events(metrics);
        LOG.info("pipeline metrics (sora_*) in {}", metrics.registry().getClass().getSimpleName());
    }

    @Override
    protected void doStop() {
        if (metrics != null) {
            board.events(null);
            metrics.close();
            metrics = null;
        }
    }
}
