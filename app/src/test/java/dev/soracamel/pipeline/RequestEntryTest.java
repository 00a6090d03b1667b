package dev.soracamel.pipeline;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.soracamel.intake.RequestIds;
import dev.soracamel.job.JobState;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The synchronous entry direct:sora-request, as a host application calls it (no HTTP server: the default). */
class RequestEntryTest extends PipelineTestSupport {

    @Override
    protected void configure(Properties p) {
        p.put("sora.intake.max-file-bytes", "4096");
    }

    private org.apache.camel.ProducerTemplate producer;

    /** Through the running context (a restart makes a new one). */
    @SuppressWarnings("unchecked")
    Map<String, Object> send(Object body) {
        if (producer == null || producer.getCamelContext() != context) {
            producer = context.createProducerTemplate();
        }
        return producer.requestBody("direct:sora-request", body, Map.class);
    }

    @Test
    void a_map_or_json_text_is_accepted_and_answered_with_its_job() throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("request_id", "from-map");
        request.put("version", "2");
        request.put("prompt", "A fox running through snow");
        request.put("resolution", 720);
        request.put("dimensions", "16:9");
        request.put("duration", 10);
        request.put("customer_id", "host-1");

        Map<String, Object> a = send(request);
        Map<String, Object> b = send(v2("A heron standing in a river", "host-1").getBytes(StandardCharsets.UTF_8));
        Map<String, Object> c = send(new ByteArrayInputStream(v2("An owl at dusk in a forest", "host-1")
                .getBytes(StandardCharsets.UTF_8)));

        assertThat(a).containsEntry("outcome", "accepted").containsEntry("job_id", "from-map")
                .containsEntry("provider", "yesai");
        assertThat(a.get("state")).as("as it is when answered").isIn("QUEUED", "SUBMITTING", "POLLING");
        assertThat(b).containsEntry("outcome", "accepted");
        String generated = (String) b.get("job_id");
        assertThat(RequestIds.isSafe(generated)).as("a request without request_id gets a safe one: " + generated).isTrue();
        assertThat(c.get("job_id")).isNotEqualTo(generated);

        awaitSettled(3, Duration.ofSeconds(30));
        assertThat(stored("host-1", "from-map")).exists();
        assertThat(stored("host-1", generated)).exists();
        assertThat(board().find("from-map").orElseThrow().source).isEqualTo("direct:sora-request");
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(3);
        assertNoBreaches();
    }

    @Test
    void concurrent_copies_of_one_request_make_one_job_and_one_task() throws Exception {
        String req = "{\"request_id\": \"race\", " + v2("A kite over a windy hill", "host-2").substring(1);
        int n = 8;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Map<String, Object>>> answers = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Callable<Map<String, Object>> call = () -> {
                go.await();
                return send(req);
            };
            answers.add(pool.submit(call));
        }
        go.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (Future<Map<String, Object>> f : answers) {
            Map<String, Object> a = f.get();
            outcomes.add(a.get("outcome"));
            assertThat(a).containsEntry("job_id", "race");
        }
        pool.shutdown();

        assertThat(outcomes).filteredOn("accepted"::equals).hasSize(1);
        assertThat(outcomes).filteredOn("duplicate"::equals).hasSize(n - 1);
        awaitSettled(1, Duration.ofSeconds(30));
        assertThat(board().queries().all()).hasSize(1);
        assertThat(board().find("race").orElseThrow().state).isEqualTo(JobState.STORED);
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(1);
    }

    @Test
    void a_refusal_is_answered_and_by_default_not_dead_lettered_but_can_be() throws Exception {
        Map<String, Object> r = send(request("2.pro", "A slow pan over a city at night", 720, 15, "host-3"));
        assertThat(r).containsEntry("outcome", "rejected").containsEntry("code", "DURATION_NOT_FOUND")
                .containsEntry("dead_lettered", false);
        assertThat((String) r.get("message")).contains("15");
        Map<String, Object> large = send(v2("A cat " + "and more ".repeat(600), "host-3"));
        assertThat(large).containsEntry("code", "REQUEST_TOO_LARGE");
        Map<String, Object> empty = send("   ");
        assertThat(empty).containsEntry("code", "EMPTY_REQUEST");
        Map<String, Object> unsafe = send(v2("A cat on a sunny beach", "host 3"));
        assertThat(unsafe).containsEntry("code", "CUSTOMER_ID_NOT_VALID");

        assertThat(deadCount()).isZero();
        assertThat(board().queries().counts().get("rejected")).isEqualTo(4L);
        assertThat(board().queries().all()).isEmpty();

        restart(p -> p.put("sora.request.dead-letter-rejections", "true"));

        Map<String, Object> again = send("{\"request_id\": \"bad-1\", " + request("2", "A cat on a beach", 720, 7, "host-3")
                .substring(1));
        assertThat(again).containsEntry("outcome", "rejected").containsEntry("request_id", "bad-1")
                .containsEntry("code", "DURATION_NOT_FOUND").containsEntry("dead_lettered", true);
        assertThat(error("bad-1").path("code").asText()).isEqualTo("DURATION_NOT_FOUND");
        assertThat(JSON.readTree(originalOf("bad-1").toFile()).path("duration").asInt()).isEqualTo(7);
        assertThat(sandbox().stats().tasksCreated()).isZero();
    }

    @Test
    void without_the_http_server_no_rest_endpoint_is_made() {
        assertThat(context.hasService(MainHttpServer.class)).isNull();
        assertThat(context.getRoutes()).noneMatch(r -> r.getEndpoint().getEndpointUri().startsWith("rest:")
                || r.getEndpoint().getEndpointUri().startsWith("platform-http:"));
        assertThat(context.getRoute("request")).isNotNull();
    }
}
