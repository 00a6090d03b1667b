package dev.soracamel.pipeline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.job.Job;
import dev.soracamel.progress.ProgressReport;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator page's JSON and its video endpoint over loopback HTTP, against the sandbox: keyset pages, the
 * figures the progress line shows, ranged reads of a stored video, and what hostile input gets.
 */
class OpsApiTest extends PipelineTestSupport {

    int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @Override
    protected void configure(Properties p) {
        port = serveHttp(p);
        p.put("sora.ops.video-chunk-bytes", "65536");
    }

    HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    JsonNode json(String path) throws Exception {
        HttpResponse<byte[]> r = get(path);
        assertThat(r.statusCode()).as(path + ": " + new String(r.body())).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    int status(String path) throws Exception {
        return get(path).statusCode();
    }

    void settle(int n) throws Exception {
        for (int i = 1; i <= n; i++) {
            drop("ops-" + i + ".json", v2((i == 2 ? "A refused scene [sandbox:reject]"
                    : i == 5 ? "A large calm sea [sandbox:bytes=300000]" : "A quiet scene number " + i), "c-" + (i % 2)));
        }
        awaitSettled(n, Duration.ofSeconds(60));
    }

    @Test
    void pages_walk_every_job_newest_first_and_the_summary_is_the_progress_line() throws Exception {
        settle(7);

        List<String> seen = new ArrayList<>();
        String before = null;
        for (int pages = 0; pages < 10; pages++) {
            JsonNode page = json("/ops/api/jobs?limit=3" + (before == null ? "" : "&before=" + before));
            page.path("jobs").forEach(j -> seen.add(j.path("job_id").asText()));
            if (page.path("next_before").isNull()) {
                break;
            }
            before = page.path("next_before").asText();
        }
        // every job once, in acceptance order newest first (the intake takes dropped files in its own order)
        assertThat(seen).hasSize(7).doesNotHaveDuplicates()
                .containsExactlyElementsOf(board().queries().all().stream().map(j -> j.requestId).toList());
        List<Long> cursors = new ArrayList<>();
        for (String id : seen) {
            cursors.add(board().queries().find(id).orElseThrow().seq);
        }
        assertThat(cursors).isSortedAccordingTo(java.util.Comparator.reverseOrder());

        JsonNode dead = json("/ops/api/jobs?state=DEAD");
        assertThat(dead.path("jobs")).hasSize(1);
        JsonNode d = dead.path("jobs").get(0).path("dead_letter");
        assertThat(d.path("code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(d.path("comment_ru").asText()).isNotBlank();
        assertThat(d.path("comment_en").asText()).isNotBlank();
        assertThat(d.path("reason_ru").asText()).isNotBlank();

        JsonNode stored = json("/ops/api/jobs?state=STORED&limit=100");
        assertThat(stored.path("jobs")).hasSize(6);
        assertThat(stored.path("next_before").isNull()).isTrue();
        JsonNode one = stored.path("jobs").get(0);
        assertThat(one.path("estimated_cost").decimalValue()).isPositive();
        assertThat(one.path("finished_at").asText()).isNotBlank();
        assertThat(one.path("prompt").asText()).startsWith("A quiet scene");

        JsonNode s = json("/ops/api/summary");
        // the same counts the log's progress line is made of, formatted by the same code
        assertThat(s.path("progress_line").asText()).isEqualTo(ProgressReport.format(board().queries().counts()));
        assertThat(s.path("progress").path("stored").asInt()).isEqualTo(6);
        JsonNode yesai = s.path("providers").get(0);
        assertThat(yesai.path("name").asText()).isEqualTo("yesai");
        assertThat(yesai.path("limit").asInt()).isEqualTo(3);
        assertThat(yesai.path("active").asInt()).isZero();
        assertThat(yesai.path("paused").asBoolean()).isFalse();
        // 7 submits and at least 7 status checks in the last minute, as the sandbox counted them
        assertThat(yesai.path("api_calls_last_minute").asInt()).isGreaterThanOrEqualTo(14);
        assertThat(yesai.path("downloads_last_minute").asInt()).isEqualTo(6);
        // what the account learned about when to check its one class of task first: from the first checks of the
        // six tasks that generated (the rejected one says nothing about how long generation takes)
        JsonNode learned = yesai.path("learned").get(0);
        assertThat(learned.path("class").asText()).isEqualTo("2/720/10");
        assertThat(learned.path("first_checks").asInt()).isEqualTo(6);
        assertThat(learned.path("first_check_s").asDouble()).as("never below the catalog's 60 s").isGreaterThanOrEqualTo(60);
        assertThat(s.path("spend").path("enabled").asBoolean()).isTrue();
        assertThat(s.path("spend").path("customers")).hasSize(2);
        assertThat(new java.math.BigDecimal(s.path("spend").path("committed").asText())).isPositive();
        assertNoBreaches();
    }

    @Test
    void bad_parameters_are_refused_with_a_code() throws Exception {
        assertThat(status("/ops/api/jobs?limit=101")).isEqualTo(400);
        assertThat(status("/ops/api/jobs?limit=0")).isEqualTo(400);
        assertThat(status("/ops/api/jobs?limit=abc")).isEqualTo(400);
        assertThat(status("/ops/api/jobs?before=-1")).isEqualTo(400);
        assertThat(status("/ops/api/jobs?before=99999999999999999999")).isEqualTo(400);
        assertThat(status("/ops/api/jobs?state=NOPE")).isEqualTo(400);
        assertThat(JSON.readTree(get("/ops/api/jobs?state=%3Cscript%3E").body()).path("code").asText())
                .isEqualTo("STATE_NOT_VALID");
        assertThat(status("/ops/api/jobs?limit=100&state=DEAD,STORED")).isEqualTo(200);
        assertThat(status("/ops/api/jobs/nobody/video")).isEqualTo(404);
        assertThat(status("/ops/api/jobs/..%2F..%2Fetc%2Fpasswd/video")).isEqualTo(404);
        assertThat(status("/ops/nothing.js")).isEqualTo(404);
        assertThat(status("/ops/..%2Fjobs")).isEqualTo(404);
    }

    @Test
    void the_page_is_served_from_the_jar_with_a_strict_policy() throws Exception {
        HttpResponse<byte[]> r = get("/ops");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).contains("ops/");
        r = get("/ops/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body())).contains("<script src=\"ops.js\"></script>").doesNotContain("http://", "https://");
        assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("default-src 'none'");
        r = get("/ops/ops.js");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        // data from outside is only ever set as text
        assertThat(new String(r.body())).doesNotContain("innerHTML", "insertAdjacentHTML", "document.write", "eval(");
    }

    @Test
    void a_stored_video_is_served_in_ranges_from_the_local_store_only() throws Exception {
        drop("vid.json", v2("A large calm sea [sandbox:bytes=300000]", "c-v"));
        awaitSettled(1, Duration.ofSeconds(60));
        Path mp4 = stored("c-v", "vid");
        byte[] file = Files.readAllBytes(mp4);
        assertThat(file).hasSize(300000);

        HttpResponse<byte[]> whole = get("/ops/api/jobs/vid/video");
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(file);
        assertThat(whole.headers().firstValue("Accept-Ranges")).contains("bytes");
        assertThat(whole.headers().firstValue("Content-Type")).contains("video/mp4");

        HttpResponse<byte[]> r = get("/ops/api/jobs/vid/video", "Range", "bytes=100-199");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range")).contains("bytes 100-199/300000");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(file, 100, 200));

        // open-ended: at most one chunk (sora.ops.video-chunk-bytes) per answer
        r = get("/ops/api/jobs/vid/video", "Range", "bytes=0-");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range")).contains("bytes 0-65535/300000");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(file, 0, 65536));

        r = get("/ops/api/jobs/vid/video", "Range", "bytes=-10");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.headers().firstValue("Content-Range")).contains("bytes 299990-299999/300000");
        assertThat(r.body()).isEqualTo(Arrays.copyOfRange(file, 299990, 300000));

        r = get("/ops/api/jobs/vid/video", "Range", "bytes=299999-400000");
        assertThat(r.statusCode()).isEqualTo(206);
        assertThat(r.body()).hasSize(1);

        for (String bad : List.of("bytes=300000-", "bytes=5-1", "bytes=-0", "bytes=0-1,5-9", "items=0-1", "bytes=-",
                "bytes=99999999999999999999-")) {
            r = get("/ops/api/jobs/vid/video", "Range", bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(416);
            assertThat(r.headers().firstValue("Content-Range")).as(bad).contains("bytes */300000");
        }

        // the record names the file; a link put in its place is never followed
        Path moved = mp4.resolveSibling("elsewhere.bin");
        Files.move(mp4, moved);
        Files.createSymbolicLink(mp4, moved);
        assertThat(status("/ops/api/jobs/vid/video")).isEqualTo(404);
        Files.delete(mp4);
        Files.move(moved, mp4);
        assertThat(status("/ops/api/jobs/vid/video")).isEqualTo(200);

        // a record pointing outside the store, and one in S3, are not served from disk
        Job j = board().repository().find("vid").orElseThrow();
        j.storedLocation = "/etc/passwd";
        assertThat(board().repository().update(j)).isTrue();
        assertThat(status("/ops/api/jobs/vid/video")).isEqualTo(404);
        j.storedLocation = "s3://bucket/videos/c-v/vid.mp4";
        assertThat(board().repository().update(j)).isTrue();
        HttpResponse<byte[]> s3 = get("/ops/api/jobs/vid/video");
        assertThat(s3.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(s3.body()).path("code").asText()).isEqualTo("VIDEO_IN_S3");
        assertThat(json("/ops/api/jobs?state=STORED").path("jobs").get(0).path("video").path("in_s3").asBoolean()).isTrue();
    }

    @Test
    void with_authentication_on_the_page_asks_for_the_same_credentials_as_rest() throws Exception {
        Path users = dir.resolve("users.properties");
        Files.writeString(users, "user.ops=not-a-real-secret,operator\n");
        restart(p -> {
            p.put("camel.server.authenticationEnabled", "true");
            p.put("camel.server.basicPropertiesFile", users.toString());
        });
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:not-a-real-secret".getBytes());
        String wrong = "Basic " + java.util.Base64.getEncoder().encodeToString("ops:guess".getBytes());
        for (String path : List.of("/ops/", "/ops/ops.js", "/ops/api/summary", "/ops/api/jobs", "/ops/api/jobs/x/video",
                "/jobs")) {
            assertThat(status(path)).as(path + " without credentials").isEqualTo(401);
            assertThat(get(path, "Authorization", wrong).statusCode()).as(path + " with a wrong password").isEqualTo(401);
        }
        for (String path : List.of("/ops/", "/ops/ops.js", "/ops/api/summary", "/ops/api/jobs", "/jobs")) {
            assertThat(get(path, "Authorization", basic).statusCode()).as(path + " with credentials").isEqualTo(200);
        }
    }

    @Test
    void the_page_can_be_switched_off_while_rest_stays() throws Exception {
        restart(p -> p.put("sora.ops.enabled", "false"));
        assertThat(status("/ops/")).isEqualTo(404);
        assertThat(status("/ops/api/summary")).isEqualTo(404);
        assertThat(status("/jobs")).isEqualTo(200);
        assertThat(context.getRegistry().lookupByName("soraOps")).isNull();
    }
}
