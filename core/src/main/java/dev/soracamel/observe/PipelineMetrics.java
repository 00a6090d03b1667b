package dev.soracamel.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

import dev.soracamel.config.SoraSettings;
import dev.soracamel.flow.FlowEvents;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.JobQueries;
import dev.soracamel.flow.ProviderView;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.LookupResult;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import org.apache.camel.CamelContext;

/**
 * The pipeline's figures as Micrometer meters (Prometheus names {@code sora_*}): gauges read the job board
 * when scraped, counters and timers are fed by the steps through {@link FlowEvents}. Tags are few and
 * bounded (pipeline, provider, state, endpoint, outcome, HTTP class): never a job, task or customer id.
 *
 * <p>Only loaded when Micrometer is on the classpath ({@link Observability} checks first), so that a host
 * without it runs the pipeline unchanged.
 */
final class PipelineMetrics implements FlowEvents {

    /** Camel's name for the registry it binds (camel-micrometer's MicrometerConstants.METRICS_REGISTRY_NAME). */
    static final String CAMEL_REGISTRY_NAME = "metricsRegistry";

    /**
     * Upper bounds of the submit-to-stored histogram at time scale 1: a "2" video takes 1.5 to 3 minutes,
     * a "2.pro" one 5 to 10, a queue at the provider or retries longer. Scaled with the schedule, so a
     * sandbox run fills the same buckets.
     */
    private static final Duration[] STORED_BUCKETS = {Duration.ofSeconds(30), Duration.ofMinutes(1),
            Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(5), Duration.ofMinutes(7),
            Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(20), Duration.ofMinutes(30),
            Duration.ofMinutes(45), Duration.ofMinutes(60), Duration.ofMinutes(120)};
    /** Status checks a task needed: the first one after the model's delay often suffices; 60 is the cap. */
    private static final double[] CHECK_BUCKETS = {1, 2, 3, 5, 10, 20, 30, 60};

    private final MeterRegistry registry;
    private final JobBoard board;
    private final Tags pipeline;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();
    private final Map<List<String>, Counter> calls = new ConcurrentHashMap<>();
    private final Map<String, Timer> submitToStored = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> checksPerTask = new ConcurrentHashMap<>();
    private final Map<String, Counter> maybeLost = new ConcurrentHashMap<>();
    /** provider + class pairs whose learned-schedule gauges are registered. */
    private final Set<String> learnedClasses = ConcurrentHashMap.newKeySet();
    /** Set by close(): a step still finishing must not put a meter back into the registry. */
    private volatile boolean closed;

    private PipelineMetrics(MeterRegistry registry, JobBoard board, String pipelineName) {
        this.registry = registry;
        this.board = board;
        this.pipeline = Tags.of("pipeline", pipelineName);
    }

    /**
     * Meters for {@code board} in the context's registry, or null when the context has none (camel.metrics
     * off, or a host that binds no registry).
     */
    static PipelineMetrics bind(CamelContext ctx, JobBoard board, String pipelineName) {
        MeterRegistry registry = find(ctx);
        if (registry == null) {
            return null;
        }
        PipelineMetrics m = new PipelineMetrics(registry, board, pipelineName);
        m.registerGauges();
        return m;
    }

    /** Camel's own registry by name; else the only one; else, of several (Spring Boot), the composite. */
    private static MeterRegistry find(CamelContext ctx) {
        MeterRegistry named = ctx.getRegistry().lookupByNameAndType(CAMEL_REGISTRY_NAME, MeterRegistry.class);
        if (named != null) {
            return named;
        }
        Set<MeterRegistry> all = ctx.getRegistry().findByType(MeterRegistry.class);
        if (all.size() == 1) {
            return all.iterator().next();
        }
        List<MeterRegistry> composites = all.stream().filter(r -> r instanceof CompositeMeterRegistry).toList();
        return composites.size() == 1 ? composites.get(0) : null;
    }

    MeterRegistry registry() {
        return registry;
    }

    /** Takes this pipeline's meters out of the registry (a host's registry outlives a stopped pipeline). */
    void close() {
        closed = true;
        meters.forEach(registry::remove);
        meters.clear();
        calls.clear();
        submitToStored.clear();
        checksPerTask.clear();
        maybeLost.clear();
        learnedClasses.clear();
    }

    // ---------------------------------------------------------------- gauges (read when scraped)

    private void registerGauges() {
        for (ProviderView v : board.queries().providerViews()) {
            String p = v.name();
            for (JobState state : JobState.values()) {
                gauge("sora.jobs", "Jobs on record, by provider and state (final ones until retention forgets them)",
                        Tags.of("provider", p, "state", state.name().toLowerCase(Locale.ROOT)),
                        b -> b.queries().jobCounts().getOrDefault(p, Map.of()).getOrDefault(state, 0));
            }
            gauge("sora.queue.depth", "Jobs waiting for a free slot and a submit", Tags.of("provider", p),
                    b -> view(b, p).queued());
            gauge("sora.active.tasks", "Active-task slots held at the provider (submitting or being polled)",
                    Tags.of("provider", p), b -> view(b, p).active());
            gauge("sora.active.tasks.limit", "The provider's active-task limit (its tariff)", Tags.of("provider", p),
                    b -> view(b, p).limit());
            gauge("sora.provider.paused", "1 while submits to the provider are paused (refused token, no credit)",
                    Tags.of("provider", p), b -> view(b, p).paused() ? 1 : 0);
        }
        meters.add(FunctionCounter.builder("sora.requests.rejected", board,
                        b -> b.queries().rejectedCount())
                .description("Requests refused at intake (invalid: never a job, never submitted) and dead-lettered")
                .tags(pipeline).register(registry));
    }

    private void gauge(String name, String description, Tags tags, ToDoubleFunction<JobBoard> f) {
        // a strong reference: the registry must not let the board go while the pipeline runs; close() removes it
        meters.add(Gauge.builder(name, board, f).description(description).tags(pipeline.and(tags))
                .strongReference(true).register(registry));
    }

    private static ProviderView view(JobBoard board, String provider) {
        for (ProviderView v : board.queries().providerViews()) {
            if (v.name().equals(provider)) {
                return v;
            }
        }
        throw new IllegalStateException("no provider " + provider);
    }

    // ---------------------------------------------------------------- calls

    @Override
    public void submitAnswered(Job job, SubmitResult result, int httpStatus) {
        call(job.provider, "submit", submitOutcome(result.kind()), httpClass(httpStatus));
    }

    @Override
    public void submitNoAnswer(Job job, Throwable error) {
        // as the board decides: a refused connection never reached the provider and is retried; anything
        // else may have created a paid task
        call(job.provider, "submit", JobBoard.neverSent(error) ? "retry" : "unknown", "none");
    }

    @Override
    public void statusAnswered(Job job, StatusResult result, int httpStatus) {
        call(job.provider, "status", statusOutcome(result.kind()), httpClass(httpStatus));
        taskEnded(job);
        learnedClass(job);
    }

    /**
     * Gauges of what the account learned about the job's class of task, registered the first time a task of the
     * class is answered on this node (the classes are not known before); read from the repository when scraped.
     */
    private void learnedClass(Job job) {
        if (closed || job.provider == null) {
            return;
        }
        String p = job.provider;
        String cls = JobQueries.taskClass(job);
        if (!learnedClasses.add(p + " " + cls)) {
            return;
        }
        Tags tags = Tags.of("provider", p, "class", cls);
        gauge("sora.status.first.check.seconds", "When the first status check of the class's next task is planned, "
                        + "after its submit, as learned (this run's clock; NaN until learned)", tags,
                b -> learned(b, p, cls, c -> c.firstCheckMs == null ? Double.NaN : c.firstCheckMs / 1000.0));
        gauge("sora.status.first.check.done.ratio", "Share of the class's first status checks that found the task "
                        + "done", tags,
                b -> learned(b, p, cls, c -> c.firstChecks == 0 ? Double.NaN : (double) c.firstCheckHits / c.firstChecks));
        gauge("sora.status.first.checks", "First status checks answered for the class (what its plan learned from)",
                tags, b -> learned(b, p, cls, c -> c.firstChecks));
    }

    private static double learned(JobBoard b, String provider, String cls,
                                  java.util.function.ToDoubleFunction<dev.soracamel.job.LearnedCheck> f) {
        dev.soracamel.job.LearnedCheck c = b.queries().learned(provider).get(cls);
        return c == null ? Double.NaN : f.applyAsDouble(c);
    }

    @Override
    public void statusNoAnswer(Job job, Throwable error) {
        call(job.provider, "status", "retry", "none");
        taskEnded(job);
    }

    @Override
    public void lookupAnswered(Job job, LookupResult result, int httpStatus) {
        call(job.provider, "lookup", result == null ? "retry" : lookupOutcome(result.kind()), httpClass(httpStatus));
    }

    /**
     * A job that left while a task it paid for may exist at the provider: its submit's answer was lost and no
     * lookup found the task (or the provider has none). Each one is money a person may recover from the
     * provider's support.
     */
    @Override
    public void deadLettered(Job job) {
        boolean uncertain = !job.charges.isEmpty() && Boolean.TRUE.equals(job.charges.get(job.charges.size() - 1).uncertain());
        if (closed || !("SUBMIT_OUTCOME_UNKNOWN".equals(job.deadCode) || uncertain)) {
            return;
        }
        maybeLost.computeIfAbsent(job.provider, p -> register(Counter.builder("sora.jobs.maybe.paid.lost")
                .description("Jobs dead-lettered while a task they may have paid for may exist at the provider "
                        + "(a submit's answer was lost and no lookup found its task): ask the provider's support")
                .tags(pipeline).tags("provider", p)
                .register(registry))).increment();
    }

    @Override
    public void downloadAttempt(Job job, String outcome, int httpStatus, Throwable error) {
        call(job.provider, "download", outcome, httpClass(httpStatus));
    }

    private void call(String provider, String endpoint, String outcome, String http) {
        if (closed) {
            return;
        }
        calls.computeIfAbsent(List.of(provider, endpoint, outcome, http), k -> register(
                Counter.builder("sora.api.calls")
                        .description("Calls to the provider's API, by endpoint (submit, status, lookup, download), "
                                + "what came of them and the HTTP status class (none: no answer)")
                        .tags(pipeline).tags("provider", provider, "endpoint", endpoint, "outcome", outcome, "http", http)
                        .register(registry))).increment();
    }

    /** Once a task has its final status, or its job died while polling: how many checks it took. */
    private void taskEnded(Job job) {
        if (job.state != JobState.POLLING && !closed) {
            checksPerTask.computeIfAbsent(job.provider, p -> register(DistributionSummary.builder("sora.status.checks.per.task")
                    .description("Status checks one task needed until its final status")
                    .tags(pipeline).tags("provider", p)
                    .serviceLevelObjectives(CHECK_BUCKETS)
                    .register(registry))).record(job.statusChecks);
        }
    }

    // ---------------------------------------------------------------- stored

    @Override
    public void stored(Job job) {
        Instant submitted = firstSubmit(job);
        if (submitted == null || job.storedAt == null || closed) {
            return;
        }
        submitToStored.computeIfAbsent(job.provider, p -> {
            SoraSettings s = board.settings();
            Duration[] buckets = new Duration[STORED_BUCKETS.length];
            for (int i = 0; i < buckets.length; i++) {
                buckets[i] = s.scaled(STORED_BUCKETS[i]);
            }
            return register(Timer.builder("sora.submit.to.stored")
                    .description("From a job's first accepted submit to its video in storage (a resubmit after a "
                            + "provider timeout counts from the first)")
                    .tags(pipeline).tags("provider", p)
                    .serviceLevelObjectives(buckets)
                    .register(registry));
        }).record(Duration.between(submitted, job.storedAt));
    }

    /** The answer to the first submit that created a task; a resubmit after a timeout does not restart it. */
    private static Instant firstSubmit(Job job) {
        for (Job.Event e : job.history) {
            if ("submitted".equals(e.event())) {
                return e.at();
            }
        }
        return job.submittedAt;
    }

    private <M extends Meter> M register(M meter) {
        meters.add(meter);
        return meter;
    }

    // ---------------------------------------------------------------- tag values

    static String submitOutcome(SubmitResult.Kind kind) {
        return switch (kind) {
            case CREATED -> "created";
            case RETRY -> "retry";
            case PAUSE -> "paused";
            case REJECTED -> "rejected";
            case CUSTOMER_BANNED -> "banned";
            case OUTCOME_UNKNOWN -> "unknown";
        };
    }

    static String statusOutcome(StatusResult.Kind kind) {
        return switch (kind) {
            case WAITING -> "waiting";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
            case TIMED_OUT -> "timed_out";
            case RETRY -> "retry";
            case PAUSE -> "paused";
            case LOST -> "lost";
        };
    }

    static String lookupOutcome(LookupResult.Kind kind) {
        return switch (kind) {
            case PAGE -> "page";
            case RETRY -> "retry";
            case PAUSE -> "paused";
            case UNAVAILABLE -> "unavailable";
        };
    }

    /** 2xx, 4xx...; none when no HTTP answer came. */
    static String httpClass(int status) {
        return status < 100 || status > 599 ? "none" : (status / 100) + "xx";
    }
}
