package dev.soracamel.embed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.testing.LogCapture;
import dev.soracamel.sandbox.Dialect;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The pipeline inside a host application's own CamelContext: a plain {@link DefaultCamelContext}, no Camel
 * Main, no application.properties, no sandbox mode. The host starts the provider simulator itself, loads our
 * jar's route templates, and installs two pipelines side by side, each with its own endpoints, properties,
 * job store and provider account.
 */
class EmbeddingTest extends SandboxHostSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void accounts(SandboxServer sandbox) {
        sandbox.addAccount("beta-token", 1, Dialect.GATEWAY);
    }

    /** What a host writes in its own configuration for pipeline {@code alpha}: Yes Ai, fed from its own endpoint. */
    Properties alpha() {
        Properties p = yesAiPipeline("alpha");
        // the host's own endpoints: requests from its direct: endpoint, videos and dead letters in its folders,
        // events to its mock endpoint; no inbox folder
        p.put("alpha.intake.endpoint", "direct:host-orders");
        p.put("alpha.store.endpoint", "file:" + dir.resolve("host-videos"));
        p.put("alpha.dead-letter.endpoint", "file:" + dir.resolve("host-rejects"));
        p.put("alpha.notify.endpoint", "mock:host-events");
        return p;
    }

    /** Pipeline {@code beta}: an OpenAI-compatible gateway, with the default folder intake under its own folders. */
    Properties beta() {
        Properties p = new Properties();
        p.put("beta.inbox", dir.resolve("beta-inbox").toString());
        p.put("beta.archive", dir.resolve("beta-archive").toString());
        p.put("beta.outbox", dir.resolve("beta-outbox").toString());
        p.put("beta.dead-letter.folder", dir.resolve("beta-dead").toString());
        p.put("beta.work", dir.resolve("beta-work").toString());
        p.put("beta.time-scale", String.valueOf(SCALE));
        p.put("beta.providers", "gateway");
        p.put("beta.provider.gateway.type", "openai-compatible");
        p.put("beta.provider.gateway.base-url", sandbox.baseUrl());
        p.put("beta.provider.gateway.token", "beta-token");
        p.put("beta.provider.gateway.tariff", "1");
        p.put("beta.tick-ms", "5");
        p.put("beta.intake.poll-delay-ms", "50");
        p.put("beta.intake.read-lock-check-interval-ms", "50");
        p.put("beta.intake.read-lock-min-age-ms", "100");
        return p;
    }

    @Test
    void two_pipelines_run_side_by_side_in_a_plain_camel_context() throws Exception {
        Properties all = alpha();
        all.putAll(beta());
        ctx.getPropertiesComponent().setInitialProperties(all);
        SoraPipeline.loadTemplates(ctx);
        SoraPipeline alpha = SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha"));
        SoraPipeline beta = SoraPipeline.install(ctx, SoraPipeline.Options.named("beta"));
        MockEndpoint events = ctx.getEndpoint("mock:host-events", MockEndpoint.class);
        events.expectedMessageCount(3);
        LogCapture log = new LogCapture("embedding-two-pipelines");
        log.attach();
        try {
            ctx.start();
            runBoth(alpha, beta, events);
        } finally {
            log.detach();
        }
        // both pipelines have a provider of their own, but a host reading its log must tell whose job a line is about
        assertThat(log.lines).anyMatch(l -> l.startsWith("job a1 [alpha/yesai] submitted"))
                .anyMatch(l -> l.startsWith("job b1 [beta/gateway] submitted"))
                .noneMatch(l -> l.startsWith("job a1 [yesai]"));
    }

    private void runBoth(SoraPipeline alpha, SoraPipeline beta, MockEndpoint events) throws Exception {
        assertThat(ctx.getRoute("alpha-submit-yesai")).isNotNull();
        assertThat(ctx.getRoute("alpha-intake")).isNotNull();
        assertThat(ctx.getRoute("alpha-intake-folder")).as("disabled by the host").isNull();
        assertThat(ctx.getRoute("beta-submit-gateway")).isNotNull();
        assertThat(ctx.getRoute("beta-intake-folder")).isNotNull();
        assertThat(ctx.getRoute("rest-post-job")).as("the standalone REST routes stay out of a host").isNull();

        ProducerTemplate host = ctx.createProducerTemplate();
        host.sendBody("direct:host-orders", """
                [{"request_id": "a1", "version": "2", "prompt": "A lighthouse in a storm at night", "resolution": 720,
                  "dimensions": "16:9", "duration": 10, "customer_id": "shop-1"},
                 {"request_id": "a2", "version": "2", "prompt": "A slow pan over a quiet harbour", "resolution": 720,
                  "dimensions": "9:16", "duration": 10, "customer_id": "shop-2"},
                 {"request_id": "a3", "version": "2", "prompt": "Too long for its version", "resolution": 720,
                  "dimensions": "16:9", "duration": 25, "customer_id": "shop-1"}]""");
        // the synchronous entry answers at once with the job id, or the reason
        Map<?, ?> accepted = host.requestBody(beta.requestEndpoint(), """
                {"request_id": "b2", "model": "sora-2", "prompt": "A paper plane over a city", "size": "720x1280",
                 "seconds": "4", "customer_id": "desk"}""", Map.class);
        assertThat(accepted.get("outcome")).isEqualTo("accepted");
        assertThat(accepted.get("job_id")).isEqualTo("b2");
        assertThat(beta.board().find("b2").orElseThrow().source).as("recorded as from its own pipeline's entry")
                .isEqualTo("direct:beta-request");
        Map<?, ?> refused = host.requestBody("direct:beta-request", """
                {"model": "sora-9", "prompt": "No such model here", "size": "720x1280", "seconds": "4"}""", Map.class);
        assertThat(refused.get("outcome")).isEqualTo("rejected");
        assertThat(refused.get("code")).isEqualTo("MODEL_NOT_VALID");
        Path betaInbox = Files.createDirectories(dir.resolve("beta-inbox"));
        Files.writeString(betaInbox.resolve("b1.json.tmp"), """
                {"model": "sora-2", "prompt": "A red kite over green hills", "size": "1280x720", "seconds": "4",
                 "customer_id": "desk"}""");
        Files.move(betaInbox.resolve("b1.json.tmp"), betaInbox.resolve("b1.json"));

        await(() -> Files.exists(dir.resolve("host-videos/shop-1/a1.json"))
                && Files.exists(dir.resolve("host-videos/shop-2/a2.json"))
                && Files.exists(dir.resolve("beta-outbox/desk/b1.json"))
                && Files.exists(dir.resolve("beta-outbox/desk/b2.json")), Duration.ofSeconds(60));

        assertThat(Files.size(dir.resolve("host-videos/shop-1/a1.mp4"))).isPositive();
        JsonNode meta = JSON.readTree(dir.resolve("host-videos/shop-2/a2.json").toFile());
        assertThat(meta.path("state").asText()).isEqualTo("STORED");
        assertThat(meta.path("provider").asText()).isEqualTo("yesai");
        // a rejected request never became a job: its dead letter has a name of its own, <id>~<digest>
        Path a3;
        try (var files = Files.list(dir.resolve("host-rejects"))) {
            a3 = files.filter(f -> f.getFileName().toString().matches("a3~[0-9a-f]{16}\\.error\\.json"))
                    .findFirst().orElseThrow();
        }
        JsonNode rejected = JSON.readTree(a3.toFile());
        assertThat(rejected.path("code").asText()).isEqualTo("DURATION_NOT_FOUND");
        assertThat(JSON.readTree(dir.resolve("beta-outbox/desk/b1.json").toFile()).path("provider").asText())
                .isEqualTo("gateway");

        // the host's event endpoint heard of every outcome of its pipeline, with where the video went
        events.assertIsSatisfied(10_000);
        List<JsonNode> heard = events.getReceivedExchanges().stream()
                .map(e -> read(e.getMessage().getBody(String.class))).toList();
        assertThat(heard).extracting(e -> e.path("job_id").asText() + ":" + e.path("event").asText())
                .containsExactlyInAnyOrder("a1:stored", "a2:stored", "a3:rejected");
        JsonNode a1 = heard.stream().filter(e -> e.path("job_id").asText().equals("a1")).findFirst().orElseThrow();
        assertThat(a1.path("location").asText()).endsWith("shop-1/a1.mp4");
        assertThat(a1.path("pipeline").asText()).isEqualTo("alpha");
        assertThat(a1.path("estimated_cost").decimalValue()).isPositive();
        assertThat(events.getReceivedExchanges().get(0).getMessage().getHeader(Exchange.CONTENT_TYPE))
                .isEqualTo("application/json");
        await(() -> alpha.board().queries().all().stream().noneMatch(j -> j.notifyPending), Duration.ofSeconds(5));

        // each pipeline paid once per job, on its own account, within that account's limits
        assertThat(sandbox.stats("sandbox-token").tasksCreated()).isEqualTo(2);
        assertThat(sandbox.stats("beta-token").tasksCreated()).isEqualTo(2);
        assertThat(sandbox.stats().breaches()).isZero();
        assertThat(beta.board().queries().all()).hasSize(2);
        assertThat(alpha.board().queries().all()).hasSize(2);
        assertThat(Files.exists(dir.resolve("alpha-work/jobs"))).isTrue();
    }

    @Test
    void an_unforeseen_failure_ends_in_the_dead_letter_channel_of_its_own_pipeline() throws Exception {
        Properties all = alpha();
        all.putAll(beta());
        ctx.getPropertiesComponent().setInitialProperties(all);
        SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha"));
        SoraPipeline.install(ctx, SoraPipeline.Options.named("beta"));
        ctx.start();

        // not an intake item: the accept step fails in a way no rule foresaw (in either pipeline)
        ctx.createProducerTemplate().sendBodyAndHeader("direct:beta-accept", "not an intake item",
                Exchange.FILE_NAME_ONLY, "broken.json");
        ctx.createProducerTemplate().sendBodyAndHeader("direct:alpha-accept", "not one either",
                Exchange.FILE_NAME_ONLY, "also-broken.json");
        await(() -> rejected(dir.resolve("host-rejects"), "also-broken", ".error.json") != null, Duration.ofSeconds(10));
        assertThat(rejected(dir.resolve("beta-dead"), "also-broken", ".error.json")).isNull();

        await(() -> rejected(dir.resolve("beta-dead"), "broken", ".error.json") != null, Duration.ofSeconds(10));
        assertThat(JSON.readTree(rejected(dir.resolve("beta-dead"), "broken", ".error.json").toFile()).path("code")
                .asText()).isEqualTo("INTERNAL_ERROR");
        await(() -> rejected(dir.resolve("beta-dead"), "broken", ".json") != null, Duration.ofSeconds(10));
        assertThat(Files.readString(rejected(dir.resolve("beta-dead"), "broken", ".json"))).isEqualTo("not an intake item");
        assertThat(rejected(dir.resolve("host-rejects"), "broken", ".error.json")).isNull();
    }

    @Test
    void a_host_pipeline_without_a_token_is_told_its_own_key_not_the_standalone_runs_variables() {
        Properties p = alpha();
        p.remove("alpha.provider.yesai.token");
        ctx.getPropertiesComponent().setInitialProperties(p);
        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha")))
                .hasMessageContaining("provider yesai has no API token: set alpha.provider.yesai.token")
                .hasMessageNotContaining("SORA_");
    }

    /** A rejection's dead letter: {@code <id>~<digest><suffix>} (".json" means the original, not the reason). */
    static Path rejected(Path folder, String id, String suffix) {
        if (!Files.isDirectory(folder)) {
            return null;
        }
        try (var files = Files.list(folder)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(id + "~") && n.endsWith(suffix)
                        && (suffix.equals(".error.json") || !n.endsWith(".error.json"));
            }).findFirst().orElse(null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void an_event_the_receiver_refused_goes_out_again_on_the_retry_clock() throws Exception {
        Properties p = alpha();
        p.put("alpha.notify.endpoint", "direct:flaky-receiver");
        p.put("alpha.notify.retries", "0");
        p.put("alpha.notify.retry-cron", "* * * * * ?");
        ctx.getPropertiesComponent().setInitialProperties(p);
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
        // the host's receiver, a route of its own (with its own error handler), is down for two deliveries;
        // a lambda, not a RouteBuilder class, which the pipeline tests' package scan would pick up
        org.apache.camel.builder.RouteBuilder.addRoutes(ctx, rb -> rb.from("direct:flaky-receiver")
                .process(e -> {
                    if (refusals.incrementAndGet() <= 2) {
                        throw new IllegalStateException("receiver down");
                    }
                }).to("mock:host-events"));
        SoraPipeline alpha = SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha"));
        MockEndpoint events = ctx.getEndpoint("mock:host-events", MockEndpoint.class);
        events.expectedMessageCount(1);
        ctx.start();

        ctx.createProducerTemplate().sendBody("direct:host-orders", """
                {"request_id": "late", "version": "2", "prompt": "An event that arrives late", "resolution": 720,
                 "dimensions": "16:9", "duration": 10, "customer_id": "shop-3"}""");

        events.assertIsSatisfied(20_000);
        assertThat(read(events.getReceivedExchanges().get(0).getMessage().getBody(String.class)).path("event").asText())
                .isEqualTo("stored");
        assertThat(refusals.get()).isEqualTo(3);
        await(() -> alpha.board().find("late").map(j -> !j.notifyPending).orElse(false), Duration.ofSeconds(5));
    }

    @Test
    void a_second_pipeline_on_the_same_account_or_job_store_is_refused() throws Exception {
        Properties all = alpha();
        Properties sameAccount = new Properties();
        alpha().forEach((k, v) -> sameAccount.put(((String) k).replaceFirst("^alpha\\.", "gamma."), v));
        sameAccount.put("gamma.work", dir.resolve("gamma-work").toString());
        all.putAll(sameAccount);
        all.put("delta.work", dir.resolve("alpha-work").toString());
        all.put("delta.provider.yesai.base-url", sandbox.baseUrl());
        all.put("delta.provider.yesai.token", "another-account");
        ctx.getPropertiesComponent().setInitialProperties(all);
        SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha"));

        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("gamma")))
                .hasMessageContaining("use the same account");
        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("delta")))
                .hasMessageContaining("both keep their jobs in");
        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("alpha")))
                .hasMessageContaining("already installed");
        assertThatThrownBy(() -> SoraPipeline.Options.named("Bad-Name"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void two_pipelines_left_on_the_default_folders_are_refused_before_either_reads_a_request() throws Exception {
        // what a host that names two pipelines and sets only their accounts and work folders gets
        Properties all = new Properties();
        for (String name : List.of("one", "two")) {
            all.put(name + ".work", dir.resolve(name + "-work").toString());
            all.put(name + ".provider.yesai.base-url", sandbox.baseUrl());
            all.put(name + ".provider.yesai.token", name + "-token");
        }
        all.put("two.outbox", dir.resolve("two-outbox").toString());
        all.put("two.dead-letter.folder", dir.resolve("two-dead").toString());
        ctx.getPropertiesComponent().setInitialProperties(all);
        SoraPipeline.install(ctx, SoraPipeline.Options.named("one"));
        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("two")))
                .hasMessageContaining("would both read requests from file:")
                .hasMessageContaining("data/inbox");

        all.put("two.inbox", dir.resolve("two-inbox").toString());
        all.remove("two.outbox");
        ctx.getPropertiesComponent().setInitialProperties(all);
        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("two")))
                .hasMessageContaining("as their store");
        all.put("two.outbox", dir.resolve("two-outbox").toString());
        ctx.getPropertiesComponent().setInitialProperties(all);
        assertThat(SoraPipeline.install(ctx, SoraPipeline.Options.named("two"))).isNotNull();
    }

    static JsonNode read(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }
}
