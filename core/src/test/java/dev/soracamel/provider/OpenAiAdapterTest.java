package dev.soracamel.provider;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.validate.OpenAiCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class OpenAiAdapterTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final OpenAiAdapter adapter;

    OpenAiAdapterTest() throws Exception {
        ProviderSettings s = new ProviderSettings("gw", "openai-compatible", URI.create("http://127.0.0.1:9/"), "t", 2,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(20), 60, 2, "catalog.yaml",
                Duration.ofSeconds(1), Duration.ofSeconds(1), "sora.gw");
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/openai-compatible.yaml")) {
            adapter = new OpenAiAdapter(s, OpenAiCatalog.read(in), JSON);
        }
    }

    ObjectNode req(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"seconds\":\"8\"}|",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"720x1280\"}|",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"720x1280\",\"seconds\":12}|",
            "{\"model\":\"sora-2-pro\",\"prompt\":\"p\",\"size\":\"1792x1024\"}|",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1792x1024\"}|SIZE_NOT_FOUND",
            "{\"model\":\"sora-2-landscape\",\"prompt\":\"p\",\"size\":\"720x1280\"}|SIZE_NOT_FOUND",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"seconds\":\"5\"}|SECONDS_NOT_FOUND",
            "{\"model\":\"veo-9\",\"prompt\":\"p\",\"size\":\"1280x720\"}|MODEL_NOT_VALID",
            "{\"prompt\":\"p\",\"size\":\"1280x720\"}|MODEL_IS_EMPTY",
            "{\"model\":\"sora-2\",\"size\":\"1280x720\"}|PROMPT_IS_EMPTY",
            "{\"model\":\"sora-2\",\"prompt\":\"p\"}|SIZE_IS_EMPTY",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"sconds\":\"4\"}|UNKNOWN_FIELD",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"input_reference\":\"file.png\"}|IMAGE_URL_NOT_VALID",
            "{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"input_reference\":{\"image_url\":\"https://x/a.png\"}}|",
    })
    void requests_are_checked_against_the_catalog(String json, String code) throws Exception {
        var r = adapter.validate(req(json));
        if (code == null) {
            assertThat(r).isNull();
        } else {
            assertThat(r).isNotNull();
            assertThat(r.code()).isEqualTo(code);
        }
    }

    @Test
    void the_create_body_follows_the_spec() throws Exception {
        Job job = new Job();
        job.request = req("{\"model\":\"sora-2\",\"prompt\":\"a cat\",\"size\":\"1280x720\",\"seconds\":8,"
                + "\"image_url\":\"https://x/a.png\",\"customer_id\":\"c\",\"request_id\":\"r\"}");
        job.model = "sora-2";
        HttpCall call = adapter.submit(job);
        JsonNode body = JSON.readTree(call.jsonBody());
        assertThat(call.url()).isEqualTo("http://127.0.0.1:9/v1/videos");
        assertThat(body.get("seconds").isTextual()).isTrue();
        assertThat(body.get("seconds").asText()).isEqualTo("8");
        assertThat(body.path("input_reference").path("image_url").asText()).isEqualTo("https://x/a.png");
        assertThat(body.has("customer_id")).isFalse();
        assertThat(body.has("request_id")).isFalse();
        assertThat(body.has("image_url")).isFalse();

        job.request = req("{\"model\":\"sora-2\",\"prompt\":\"a cat\",\"size\":\"1280x720\"}");
        assertThat(JSON.readTree(adapter.submit(job).jsonBody()).get("seconds").asText()).isEqualTo("4");
    }

    @ParameterizedTest
    @CsvSource({"400,invalid_request_error,REJECTED", "422,unprocessable,REJECTED", "404,not_found,REJECTED",
            "401,invalid_api_key,PAUSE", "403,forbidden,PAUSE", "429,rate_limit_exceeded,RETRY",
            "429,insufficient_quota,PAUSE", "500,server_error,RETRY", "503,overloaded,RETRY",
            "502,bad_gateway,OUTCOME_UNKNOWN", "504,timeout,OUTCOME_UNKNOWN"})
    void create_errors_have_a_policy(int status, String code, SubmitResult.Kind kind) {
        SubmitResult r = adapter.interpretSubmit(HttpAnswer.of(status,
                "{\"error\":{\"message\":\"m\",\"type\":\"t\",\"code\":\"" + code + "\"}}"));
        assertThat(r.kind()).isEqualTo(kind);
        assertThat(r.code()).isEqualTo(code);
    }

    @Test
    void retry_after_is_carried() {
        SubmitResult r = adapter.interpretSubmit(new HttpAnswer(429, "{}", Map.of("retry-after", "3")));
        assertThat(r.providerWait()).isEqualTo(Duration.ofSeconds(3));
        r = adapter.interpretSubmit(new HttpAnswer(503, "{}", Map.of("retry-after-ms", "250")));
        assertThat(r.providerWait()).isEqualTo(Duration.ofMillis(250));
        assertThat(adapter.interpretSubmit(HttpAnswer.of(201, "{\"id\":\"video_1\",\"status\":\"queued\"}")).taskId())
                .isEqualTo("video_1");
    }

    @Test
    void gateway_status_variants_are_read_tolerantly() {
        for (String s : new String[] {"queued", "pending", "submitted", "in_progress", "processing"}) {
            assertThat(adapter.interpretStatus(HttpAnswer.of(200, "{\"id\":\"v\",\"status\":\"" + s + "\"}")).kind())
                    .as(s).isEqualTo(StatusResult.Kind.WAITING);
        }
        StatusResult own = adapter.interpretStatus(HttpAnswer.of(200, "{\"id\":\"v1\",\"status\":\"completed\"}"));
        assertThat(own.kind()).isEqualTo(StatusResult.Kind.COMPLETED);
        assertThat(own.resultUrl()).isEqualTo("http://127.0.0.1:9/v1/videos/v1/content");
        assertThat(adapter.interpretStatus(HttpAnswer.of(200,
                "{\"id\":\"v\",\"status\":\"succeeded\",\"video\":{\"url\":\"https://cdn/x.mp4\"}}")).resultUrl())
                .isEqualTo("https://cdn/x.mp4");
        assertThat(adapter.interpretStatus(HttpAnswer.of(200,
                "{\"id\":\"v\",\"status\":\"completed\",\"video_url\":\"https://cdn/y.mp4\",\"duration\":8}")).resultUrl())
                .isEqualTo("https://cdn/y.mp4");
        StatusResult failed = adapter.interpretStatus(HttpAnswer.of(200,
                "{\"id\":\"v\",\"status\":\"failed\",\"error\":{\"code\":\"moderation_blocked\",\"message\":\"no\"}}"));
        assertThat(failed.kind()).isEqualTo(StatusResult.Kind.FAILED);
        assertThat(failed.code()).isEqualTo("moderation_blocked");
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, "{\"id\":\"v\",\"status\":\"cancelled\"}")).code())
                .isEqualTo("TASK_CANCELLED");
        StatusResult odd = adapter.interpretStatus(HttpAnswer.of(200, "{\"id\":\"v\",\"status\":\"dreaming\"}"));
        assertThat(odd.kind()).isEqualTo(StatusResult.Kind.LOST);
        assertThat(odd.message()).contains("dreaming");
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, "<html>")).kind()).isEqualTo(StatusResult.Kind.LOST);
        assertThat(adapter.interpretStatus(new HttpAnswer(200, "{\"status\":\"queued\"}",
                Map.of("openai-poll-after-ms", "15000"))).providerWait()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void every_create_carries_an_idempotency_key_of_the_job_and_its_attempt() throws Exception {
        Job job = new Job();
        job.requestId = "r-1";
        job.acceptedAt = java.time.Instant.parse("2026-11-29T12:00:00Z");
        job.request = req("{\"model\":\"sora-2\",\"prompt\":\"a cat\",\"size\":\"1280x720\"}");
        job.model = "sora-2";
        String key = adapter.submit(job).headers().get("Idempotency-Key");
        assertThat(key).matches("sora-[0-9a-f]{32}-t0-r0");
        assertThat(adapter.submit(job).headers().get("Idempotency-Key")).as("the same submit sent again").isEqualTo(key);
        job.submitRetries = 1; // refused before: nothing was created, and a server may have kept the refusal
        assertThat(adapter.submit(job).headers().get("Idempotency-Key")).isNotEqualTo(key);
        job.submitRetries = 0;
        job.timeoutResubmits = 1; // a deliberate new task
        assertThat(adapter.submit(job).headers().get("Idempotency-Key")).isNotEqualTo(key);
        Job other = new Job();
        other.requestId = "r-1";
        other.acceptedAt = job.acceptedAt.plusSeconds(86_400); // the same request id, long after retention forgot it
        other.request = job.request;
        other.model = "sora-2";
        assertThat(adapter.submit(other).headers().get("Idempotency-Key")).isNotEqualTo(key);
    }

    @Test
    void the_list_of_videos_is_asked_newest_first_and_read_in_both_wordings() {
        assertThat(adapter.lookup(new Job(), null, 50).url())
                .isEqualTo("http://127.0.0.1:9/v1/videos?limit=50&order=desc");
        assertThat(adapter.lookup(new Job(), "video_9", 50).url())
                .isEqualTo("http://127.0.0.1:9/v1/videos?limit=50&order=desc&after=video_9");
        LookupResult page = adapter.interpretLookup(HttpAnswer.of(200, "{\"object\":\"list\",\"data\":["
                + "{\"id\":\"video_2\",\"model\":\"sora-2\",\"size\":\"1280x720\",\"seconds\":\"8\","
                + "\"prompt\":\"a cat\",\"created_at\":1764417600},"
                + "{\"id\":\"video_1\",\"model\":\"sora-2\",\"size\":\"720x1280\",\"duration\":4,"
                + "\"created_at\":\"2025-11-29T12:00:00Z\"}],"
                + "\"first_id\":\"video_2\",\"last_id\":\"video_1\",\"has_more\":true}"));
        assertThat(page.kind()).isEqualTo(LookupResult.Kind.PAGE);
        assertThat(page.hasMore()).isTrue();
        assertThat(page.lastId()).isEqualTo("video_1");
        assertThat(page.tasks()).containsExactly(
                new ListedTask("video_2", "sora-2", "1280x720", "8", "a cat", java.time.Instant.ofEpochSecond(1764417600)),
                new ListedTask("video_1", "sora-2", "720x1280", "4", null, java.time.Instant.parse("2025-11-29T12:00:00Z")));
        assertThat(adapter.interpretLookup(HttpAnswer.of(404, "{\"error\":{\"message\":\"Invalid URL\"}}")).kind())
                .isEqualTo(LookupResult.Kind.UNAVAILABLE);
        assertThat(adapter.interpretLookup(HttpAnswer.of(200, "{\"object\":\"video\"}")).kind())
                .isEqualTo(LookupResult.Kind.UNAVAILABLE);
        assertThat(adapter.interpretLookup(HttpAnswer.of(502, "<html>")).kind()).isEqualTo(LookupResult.Kind.RETRY);
        assertThat(adapter.interpretLookup(HttpAnswer.of(401, "{}")).kind()).isEqualTo(LookupResult.Kind.PAUSE);
        assertThat(adapter.expectedTask(jobOf("{\"model\":\"sora-2\",\"prompt\":\"a cat\",\"size\":\"1280x720\"}")))
                .isEqualTo(new ListedTask(null, "sora-2", "1280x720", "4", "a cat", null));
    }

    private Job jobOf(String request) {
        try {
            Job job = new Job();
            job.request = req(request);
            job.model = job.request.path("model").asText();
            return job;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
