package dev.soracamel.component;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.job.JobState;
import dev.soracamel.embed.SandboxHostSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code sora:} component in a host's plain CamelContext, configured by properties and routes only: the
 * component installs the pipeline itself. The provider is the simulator, started in-process.
 */
class SoraComponentTest extends SandboxHostSupport {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String REQUEST = """
            {"request_id": "%s", "version": "2", "prompt": "A lighthouse in a storm at night", "resolution": 720,
             "dimensions": "16:9", "duration": 10, "customer_id": "shop-1"}""";

    @BeforeEach
    void configure() {
        ctx.getPropertiesComponent().setInitialProperties(props());
    }

    Properties props() {
        Properties p = yesAiPipeline("alpha");
        p.put("alpha.outbox", dir.resolve("outbox").toString());
        p.put("alpha.dead-letter.folder", dir.resolve("dead").toString());
        p.put("alpha.intake.endpoint", "direct:host-orders");
        p.put("alpha.store.retries", "1");
        p.put("alpha.store.retry-delay-ms", "20");
        p.put("alpha.repository.recover-interval-ms", "100");
        return p;
    }

    SoraPipeline alpha() {
        return ctx.getRegistry().lookupByNameAndType("alphaPipeline", SoraPipeline.class);
    }

    @Test
    void the_producer_answers_accepted_duplicate_or_rejected_with_its_code() throws Exception {
        RouteBuilder.addRoutes(ctx, rb -> rb.from("direct:order").to("sora:alpha"));
        ctx.start();
        ProducerTemplate host = ctx.createProducerTemplate();

        Exchange accepted = host.request("direct:order", e -> e.getMessage().setBody(REQUEST.formatted("p1")));
        assertThat(accepted.getException()).isNull();
        assertThat(accepted.getMessage().getBody(Map.class)).containsEntry("outcome", "accepted")
                .containsEntry("job_id", "p1");
        assertThat(accepted.getMessage().getHeader(SoraConstants.OUTCOME)).isEqualTo("accepted");
        assertThat(accepted.getMessage().getHeader(SoraConstants.JOB_ID)).isEqualTo("p1");
        assertThat(alpha().board().find("p1")).isPresent();

        // bytes and a Map are requests too; the same request id again makes no second job
        Exchange duplicate = host.request("direct:order",
                e -> e.getMessage().setBody(REQUEST.formatted("p1").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(duplicate.getMessage().getHeader(SoraConstants.OUTCOME)).isEqualTo("duplicate");
        assertThat(duplicate.getMessage().getHeader(SoraConstants.JOB_ID)).isEqualTo("p1");
        Map<?, ?> asMap = JSON.readValue(REQUEST.formatted("p1"), Map.class);
        assertThat(host.requestBody("direct:order", asMap, Map.class)).containsEntry("outcome", "duplicate");

        Exchange rejected = host.request("direct:order", e -> e.getMessage().setBody(
                REQUEST.formatted("p2").replace("\"duration\": 10", "\"duration\": 25")));
        assertThat(rejected.getMessage().getHeader(SoraConstants.OUTCOME)).isEqualTo("rejected");
        assertThat(rejected.getMessage().getHeader(SoraConstants.CODE)).isEqualTo("DURATION_NOT_FOUND");
        assertThat(rejected.getMessage().getHeader(SoraConstants.JOB_ID)).isEqualTo("p2");

        // one request per message: an array is not split, it is a bad request
        Exchange array = host.request("direct:order",
                e -> e.getMessage().setBody("[" + REQUEST.formatted("p3") + "]"));
        assertThat(array.getMessage().getHeader(SoraConstants.OUTCOME)).isEqualTo("rejected");
        assertThat(array.getMessage().getHeader(SoraConstants.CODE)).isNotNull();
        assertThat(alpha().board().find("p3")).isEmpty();
        assertThat(sandbox.stats("sandbox-token").tasksCreated()).isLessThanOrEqualTo(1);
    }

    @Test
    void a_stored_consumer_gets_the_video_as_a_file_then_its_metadata_and_the_job_ends_stored() throws Exception {
        List<String> parts = new CopyOnWriteArrayList<>();
        Path copies = Files.createDirectories(dir.resolve("copies"));
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").routeId("host-stored")
                .process(e -> {
                    var m = e.getMessage();
                    parts.add(m.getHeader(SoraConstants.PART) + ":" + m.getHeader(SoraConstants.JOB_ID) + ":"
                            + m.getHeader(SoraConstants.CUSTOMER_ID) + ":" + m.getHeader(SoraConstants.PROVIDER) + ":"
                            + m.getHeader(SoraConstants.MODEL) + ":" + (m.getHeader(SoraConstants.COST) != null) + ":"
                            + m.getHeader(Exchange.FILE_NAME) + ":" + m.getBody().getClass().getSimpleName());
                    if (m.getBody() instanceof File video) {
                        Files.copy(video.toPath(), copies.resolve("v.mp4"));
                    } else {
                        Files.write(copies.resolve("meta.json"), m.getBody(byte[].class));
                    }
                }));
        ctx.start();

        ctx.createProducerTemplate().requestBody("sora:alpha", REQUEST.formatted("s1"));
        await(() -> state("s1") == JobState.STORED, Duration.ofSeconds(30));

        assertThat(parts).hasSize(2);
        assertThat(parts.get(0)).startsWith("video:s1:shop-1:yesai:").endsWith(":true:shop-1/s1.mp4:File");
        assertThat(parts.get(1)).startsWith("metadata:s1:shop-1:yesai:").endsWith(":shop-1/s1.json:byte[]");
        assertThat(Files.size(copies.resolve("v.mp4"))).isPositive();
        JsonNode meta = JSON.readTree(copies.resolve("meta.json").toFile());
        assertThat(meta.path("state").asText()).isEqualTo("STORED");
        assertThat(meta.path("requestId").asText()).isEqualTo("s1");
        assertThat(Files.exists(dir.resolve("outbox/shop-1/s1.mp4"))).as("the consumer took it, not the folder")
                .isFalse();
        assertThat(alpha().endpoints().get("store")).isEqualTo("direct:alpha-out-stored?block=false");
    }

    @Test
    void a_consumer_that_fails_leaves_the_job_unstored_until_it_succeeds_and_the_video_is_paid_once() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<JobState> seenWhileFailing = new CopyOnWriteArrayList<>();
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").routeId("host-flaky")
                .process(e -> {
                    if (calls.incrementAndGet() <= 5) {
                        seenWhileFailing.add(state("f1"));
                        throw new IllegalStateException("host storage down");
                    }
                }));
        ctx.start();

        ctx.createProducerTemplate().requestBody("sora:alpha", REQUEST.formatted("f1"));
        await(() -> state("f1") == JobState.STORED, Duration.ofSeconds(60));

        assertThat(seenWhileFailing).hasSize(5).doesNotContain(JobState.STORED);
        assertThat(calls.get()).as("5 failures, then the video and its metadata").isEqualTo(7);
        assertThat(sandbox.stats("sandbox-token").tasksCreated()).isEqualTo(1);
    }

    @Test
    void a_stopped_consumer_route_keeps_the_job_waiting_without_holding_a_delivery_thread() throws Exception {
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").routeId("host-paused").to("mock:kept"));
        ctx.start();
        ctx.getRouteController().stopRoute("host-paused");

        ctx.createProducerTemplate().requestBody("sora:alpha", REQUEST.formatted("w1"));
        // direct: would block each try for 30 s waiting for a consumer; the store fails at once instead and the job
        // waits for the next try, its video kept
        await(() -> alpha().board().find("w1").map(j -> j.storeFailingSince != null).orElse(false), Duration.ofSeconds(20));
        assertThat(state("w1")).isEqualTo(JobState.STORING);

        ctx.getRouteController().startRoute("host-paused");
        await(() -> state("w1") == JobState.STORED, Duration.ofSeconds(30));
        assertThat(ctx.getEndpoint("mock:kept", org.apache.camel.component.mock.MockEndpoint.class).getReceivedCounter())
                .isEqualTo(2);
        assertThat(sandbox.stats("sandbox-token").tasksCreated()).isEqualTo(1);
    }

    @Test
    void a_dead_consumer_gets_the_reason_then_the_original() throws Exception {
        List<String> parts = new CopyOnWriteArrayList<>();
        List<String> reasons = new CopyOnWriteArrayList<>();
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=dead").routeId("host-dead")
                .process(e -> {
                    var m = e.getMessage();
                    parts.add(m.getHeader(SoraConstants.PART) + ":" + m.getHeader(SoraConstants.DEAD_CODE));
                    if ("reason".equals(m.getHeader(SoraConstants.PART))) {
                        reasons.add(m.getBody(String.class));
                    }
                }));
        ctx.start();

        // the fire-and-forget intake dead-letters what it refuses
        ctx.createProducerTemplate().sendBody("direct:host-orders",
                REQUEST.formatted("d1").replace("\"duration\": 10", "\"duration\": 25"));
        await(() -> parts.size() == 2, Duration.ofSeconds(10));

        assertThat(parts).containsExactly("reason:DURATION_NOT_FOUND", "original:DURATION_NOT_FOUND");
        assertThat(JSON.readTree(reasons.get(0)).path("code").asText()).isEqualTo("DURATION_NOT_FOUND");
        assertThat(dir.resolve("dead")).satisfiesAnyOf(
                d -> assertThat(Files.exists(d)).isFalse(),
                d -> assertThat(d).isEmptyDirectory());
    }

    @Test
    void a_consumer_without_an_event_is_refused_with_a_sentence() throws Exception {
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha").routeId("host-vague").to("log:x"));
        assertThatThrownBy(() -> ctx.start())
                .hasStackTraceContaining("a sora: consumer needs event=stored, event=dead or event=all");
    }

    @Test
    void a_consumer_beside_an_explicit_store_endpoint_is_refused() throws Exception {
        Properties p = props();
        p.put("alpha.store.endpoint", "file:" + dir.resolve("elsewhere"));
        ctx.getPropertiesComponent().setInitialProperties(p);
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").routeId("host-stored").to("log:x"));
        assertThatThrownBy(() -> ctx.start())
                .hasStackTraceContaining("has both a sora:alpha?event=stored consumer and alpha.store.endpoint set");
    }

    @Test
    void the_store_endpoint_written_out_as_its_default_is_no_conflict() throws Exception {
        Properties p = props();
        // as the shipped application.properties spells it
        p.put("alpha.store.endpoint", "file:{{alpha.outbox}}?tempPrefix=.writing-&fileExist=Override");
        ctx.getPropertiesComponent().setInitialProperties(p);
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").routeId("host-stored").to("log:x"));
        ctx.start();
        assertThat(alpha().endpoints().get("store")).isEqualTo("direct:alpha-out-stored?block=false");
    }

    @Test
    void a_consumer_route_added_to_a_running_context_installs_its_pipeline_with_the_consumer() throws Exception {
        ctx.start();
        List<String> parts = new CopyOnWriteArrayList<>();
        RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").routeId("host-late")
                .process(e -> parts.add(e.getMessage().getHeader(SoraConstants.PART, String.class))));
        assertThat(alpha().endpoints().get("store")).isEqualTo("direct:alpha-out-stored?block=false");

        ctx.createProducerTemplate().requestBody("sora:alpha", REQUEST.formatted("late1"));
        await(() -> state("late1") == JobState.STORED, Duration.ofSeconds(30));
        assertThat(parts).containsExactly("video", "metadata");
    }

    @Test
    void a_consumer_added_after_the_pipeline_runs_is_refused() throws Exception {
        RouteBuilder.addRoutes(ctx, rb -> rb.from("direct:order").to("sora:alpha"));
        ctx.start();
        assertThat(alpha().endpoints().get("store")).startsWith("file:");
        assertThatThrownBy(() -> RouteBuilder.addRoutes(ctx, rb -> rb.from("sora:alpha?event=stored").to("log:x")))
                .hasStackTraceContaining("must exist when the pipeline adds its routes");
    }

    JobState state(String id) {
        SoraPipeline p = alpha();
        return p == null ? null : p.board().find(id).map(j -> j.state).orElse(null);
    }
}
