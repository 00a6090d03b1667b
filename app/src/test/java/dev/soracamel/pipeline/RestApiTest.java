package dev.soracamel.pipeline;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.platform.http.main.MainHttpServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * REST /jobs over loopback HTTP, on Camel Main's embedded server, against the sandbox: what a client sees
 * is what the pipeline did (the sandbox's own task count, the stored files, the job store).
 */
class RestApiTest extends PipelineTestSupport {

    /** Chosen when the properties are first read (from the base class's constructor): no field initializer. */
    int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Every answer body, to check none holds the token. */
    final List<String> bodies = new ArrayList<>();

    @Override
    protected void configure(Properties p) {
        port = serveHttp(p);
        p.put("sora.intake.max-file-bytes", "4096");
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Answer(int status, JsonNode body, HttpResponse<String> raw) {
    }

    Answer post(String json) throws Exception {
        return send(HttpRequest.newBuilder(uri("/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    Answer get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    Answer send(HttpRequest r) throws Exception {
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        bodies.add(res.body());
        JsonNode body = null;
        if (res.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
            body = JSON.readTree(res.body());
        }
        return new Answer(res.statusCode(), body, res);
    }

    static String withId(String request, String id) {
        return request.replaceFirst("\\{", "{\"request_id\": \"" + id + "\", ");
    }

    JsonNode awaitState(String id, String state) throws Exception {
        JsonNode[] last = new JsonNode[1];
        await(() -> {
            try {
                last[0] = get("/jobs/" + id).body();
                return state.equals(last[0].path("state").asText());
            } catch (Exception e) {
                return false;
            }
        }, Duration.ofSeconds(30), () -> id + " is " + last[0]);
        return last[0];
    }

    @Test
    void post_then_get_shows_the_job_through_to_its_stored_video() throws Exception {
        Answer a = post(withId(v2("A lighthouse in a storm", "web-1"), "rest-1"));

        assertThat(a.status()).as(a.raw().body()).isEqualTo(202);
        assertThat(a.body().path("job_id").asText()).isEqualTo("rest-1");
        // the state as it is when the answer is made: the submit route may have taken the job already
        assertThat(a.body().path("state").asText()).isIn("QUEUED", "SUBMITTING", "POLLING");
        assertThat(a.body().path("status_url").asText()).isEqualTo("/jobs/rest-1");
        assertThat(a.raw().headers().firstValue("Location")).contains("/jobs/rest-1");

        JsonNode job = awaitState("rest-1", "STORED");

        Path mp4 = stored("web-1", "rest-1");
        assertThat(mp4).exists();
        assertThat(job.path("stored").path("location").asText()).isEqualTo(mp4.toString());
        assertThat(job.path("stored").path("bytes").asLong()).isEqualTo(Files.size(mp4));
        assertThat(job.path("provider").asText()).isEqualTo("yesai");
        assertThat(job.path("source").asText()).isEqualTo("POST /jobs");
        JsonNode meta = metadata("web-1", "rest-1");
        assertThat(job.path("task_id").asText()).isNotBlank().isEqualTo(meta.path("taskId").asText());
        assertThat(job.path("task_ids")).hasSize(1);
        assertThat(job.path("status_checks").asInt()).isPositive().isEqualTo(meta.path("statusChecks").asInt());
        assertThat(job.path("attempts").path("tasks_created").asInt()).isEqualTo(1);
        assertThat(job.path("attempts").path("timeout_resubmits").asInt()).isZero();
        JsonNode t = job.path("timings");
        for (String f : new String[] {"accepted_at", "submitted_at", "completed_at", "finished_at"}) {
            assertThat(t.path(f).isTextual()).as(f + " in " + t).isTrue();
        }
        assertThat(java.time.Instant.parse(t.path("finished_at").asText()))
                .isAfter(java.time.Instant.parse(t.path("submitted_at").asText()));
        assertThat(job.has("dead_letter")).isFalse();
        assertThat(job.toString()).as("the expiring result link is not shown").doesNotContain("/download/", "resultUrl");
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(1);
        assertNoBreaches();
        assertNoTokenInAnyAnswer();
    }

    @Test
    void refused_requests_get_400_with_the_seed_code_and_leave_no_dead_letter() throws Exception {
        Answer bad = post(request("2", "A cat on a sunny beach", 720, 7, "web-2"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().path("code").asText()).isEqualTo("DURATION_NOT_FOUND");
        assertThat(bad.body().path("message").asText()).contains("7");

        Answer malformed = post("{\"version\": \"2\", \"prompt\": ");
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(malformed.body().path("code").asText()).isEqualTo("MALFORMED_JSON");

        Answer array = post("[" + v2("A cat on a sunny beach", "web-2") + "]");
        assertThat(array.status()).isEqualTo(400);
        assertThat(array.body().path("code").asText()).isEqualTo("NOT_A_REQUEST");

        Answer noCustomer = post("{\"version\": \"2\", \"prompt\": \"A cat on a beach\", \"resolution\": 720, "
                + "\"dimensions\": \"16:9\", \"duration\": 10}");
        assertThat(noCustomer.status()).isEqualTo(400);
        assertThat(noCustomer.body().path("code").asText()).isEqualTo("CUSTOMER_ID_IS_EMPTY");

        // over sora.intake.max-file-bytes (4096 here): the server refuses it before any route reads it
        Answer large = post(v2("A cat on a sunny beach " + "and more ".repeat(600), "web-2"));
        assertThat(large.status()).isEqualTo(413);

        Answer form = send(HttpRequest.newBuilder(uri("/jobs")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(v2("A cat on a sunny beach", "web-2"))).build());
        assertThat(form.status()).as("only JSON is taken").isEqualTo(415);

        Answer list = get("/jobs");
        assertThat(list.body().path("total").asInt()).isZero();
        assertThat(list.body().path("rejected_at_intake").asInt()).as("each refusal is counted").isEqualTo(4);
        assertThat(deadCount()).as("the caller was told; no dead letter").isZero();
        assertThat(board().queries().all()).isEmpty();
        assertThat(sandbox().stats().tasksCreated()).isZero();
    }

    @Test
    void the_same_request_id_twice_makes_one_job_and_one_task() throws Exception {
        String req = withId(v2("A train crossing a bridge", "web-3"), "rest-dup");
        Answer first = post(req);
        Answer again = post(req);
        Answer changed = post(withId(v2("A different train on another bridge", "web-3"), "rest-dup"));

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.body().path("duplicate").asBoolean()).isTrue();
        assertThat(again.body().path("same_request").asBoolean()).isTrue();
        assertThat(again.body().path("job_id").asText()).isEqualTo("rest-dup");
        assertThat(again.body().path("message").asText()).contains("not submitted again");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.body().path("same_request").asBoolean()).isFalse();

        awaitState("rest-dup", "STORED");
        Answer late = post(req);
        assertThat(late.status()).isEqualTo(200);
        assertThat(late.body().path("state").asText()).isEqualTo("STORED");

        awaitSettled(1, Duration.ofSeconds(30));
        assertThat(sandbox().stats().tasksCreated()).as("one submit at the provider").isEqualTo(1);
        assertThat(board().queries().all()).hasSize(1);
        assertThat(storedCount()).isEqualTo(1);
    }

    @Test
    void unknown_ids_are_404() throws Exception {
        Answer a = get("/jobs/no-such-job");
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.body().path("code").asText()).isEqualTo("JOB_NOT_FOUND");
        assertThat(get("/jobs/..%2F..%2Fetc").status()).isEqualTo(404);
    }

    @Test
    void the_list_counts_every_state_truly_and_shows_newest_first() throws Exception {
        post(withId(v2("First scene of the list", "web-4"), "list-1"));
        post(withId(v2("Second scene of the list", "web-4"), "list-2"));
        post(withId(v2("Third scene, refused by the provider [sandbox:reject]", "web-4"), "list-3"));
        drop("from-folder.json", v2("A scene from the inbox folder", "web-4"));

        // while the batch runs: every job counted once, never more holding a slot than the tariff allows
        boolean sawWork = false;
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode c = get("/jobs").body().path("counts");
            int total = 0;
            for (JsonNode n : c) {
                total += n.asInt();
            }
            assertThat(total).as(c.toString()).isBetween(3, 4);
            assertThat(c.path("SUBMITTING").asInt() + c.path("POLLING").asInt()).isLessThanOrEqualTo(activeTasks());
            int done = c.path("STORED").asInt() + c.path("DEAD").asInt();
            sawWork |= total > done;
            if (total == 4 && done == 4) {
                break;
            }
            assertThat(System.nanoTime()).as("settled in time: " + c).isLessThan(end);
            Thread.sleep(50);
        }
        assertThat(sawWork).as("the counts were read while jobs were under way").isTrue();
        awaitSettled(4, Duration.ofSeconds(30));

        JsonNode all = get("/jobs").body();
        assertThat(all.path("counts").path("STORED").asInt()).isEqualTo(3).isEqualTo((int) storedCount());
        assertThat(all.path("counts").path("DEAD").asInt()).isEqualTo(1).isEqualTo((int) deadCount());
        assertThat(all.path("counts").path("QUEUED").asInt()).isZero();
        assertThat(all.path("total").asInt()).isEqualTo(4);
        List<String> ids = new ArrayList<>();
        all.path("jobs").forEach(j -> ids.add(j.path("job_id").asText()));
        assertThat(ids).containsExactly("from-folder", "list-3", "list-2", "list-1");

        JsonNode dead = get("/jobs?state=dead").body();
        assertThat(dead.path("matching").asInt()).isEqualTo(1);
        assertThat(dead.path("jobs").get(0).path("job_id").asText()).isEqualTo("list-3");
        assertThat(dead.path("jobs").get(0).path("dead_letter_code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(dead.path("counts").path("STORED").asInt()).as("counts stay whole under a filter").isEqualTo(3);

        JsonNode one = get("/jobs?state=STORED,DEAD&limit=1").body();
        assertThat(one.path("shown").asInt()).isEqualTo(1);
        assertThat(one.path("matching").asInt()).isEqualTo(4);
        assertThat(one.path("jobs").get(0).path("job_id").asText()).isEqualTo("from-folder");

        JsonNode rejected = get("/jobs/list-3").body();
        assertThat(rejected.path("dead_letter").path("code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(rejected.path("dead_letter").path("comment_en").asText()).isNotBlank();
        assertThat(rejected.path("dead_letter").path("written").asBoolean()).isTrue();

        assertThat(get("/jobs?state=LOST").status()).isEqualTo(400);
        assertThat(get("/jobs?limit=0").status()).isEqualTo(400);
        assertThat(get("/jobs?limit=many").body().path("code").asText()).isEqualTo("LIMIT_NOT_VALID");
        assertNoTokenInAnyAnswer();
    }

    @Test
    void the_server_listens_on_loopback_and_rest_can_be_switched_off() throws Exception {
        MainHttpServer server = context.hasService(MainHttpServer.class);
        assertThat(server).isNotNull();
        assertThat(server.getHost()).isEqualTo("127.0.0.1");
        assertThat(get("/jobs").status()).isEqualTo(200);
        // the socket itself: reachable on loopback, refused on this machine's other addresses
        for (InetAddress other : otherLocalAddresses()) {
            try (java.net.Socket s = new java.net.Socket()) {
                assertThatThrownBy(() -> s.connect(new java.net.InetSocketAddress(other, port), 2000))
                        .as("connect to " + other).isInstanceOf(IOException.class);
            }
        }

        restart(p -> p.put("sora.rest.enabled", "false"));

        assertThat(context.hasService(MainHttpServer.class)).as("the server still runs").isNotNull();
        assertThat(context.getRoutes()).noneMatch(r -> r.getEndpoint().getEndpointUri().startsWith("rest:"));
        assertThat(get("/jobs").status()).isEqualTo(404);
        assertThat(post(v2("A cat on a sunny beach", "web-5")).status()).isEqualTo(404);
        assertThat(board().queries().all()).isEmpty();
    }

    static List<InetAddress> otherLocalAddresses() throws IOException {
        List<InetAddress> found = new ArrayList<>();
        for (var nic : java.util.Collections.list(java.net.NetworkInterface.getNetworkInterfaces())) {
            if (nic.isUp() && !nic.isLoopback()) {
                for (InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
                    if (a instanceof java.net.Inet4Address) {
                        found.add(a);
                    }
                }
            }
        }
        return found;
    }

    void assertNoTokenInAnyAnswer() {
        String token = context.getPropertiesComponent().resolveProperty("sora.provider.yesai.token").orElseThrow();
        assertThat(token).isNotBlank();
        assertThat(bodies).isNotEmpty().noneMatch(b -> b.contains(token));
    }
}
