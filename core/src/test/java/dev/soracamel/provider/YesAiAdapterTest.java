package dev.soracamel.provider;

import java.net.URI;
import java.time.Duration;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.validate.Rejection;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class YesAiAdapterTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final YesAiAdapter adapter;

    YesAiAdapterTest() throws Exception {
        ProviderSettings s = new ProviderSettings("yesai", "yesai", URI.create("http://127.0.0.1:1/"), "t", 3,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(20), 60, 2, "", Duration.ofSeconds(1),
                Duration.ofSeconds(1), "sora.yesai");
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            adapter = new YesAiAdapter(s, YesAiCatalog.read(in), JSON);
        }
    }

    ObjectNode req(String json) throws Exception {
        return (ObjectNode) JSON.readTree(json);
    }

    String base(String version, int resolution, int duration) {
        return "{\"version\":\"" + version + "\",\"prompt\":\"two words\",\"resolution\":" + resolution
                + ",\"dimensions\":\"9:16\",\"duration\":" + duration + ",\"customer_id\":\"c\"}";
    }

    @ParameterizedTest
    @CsvSource({"2,720,10,", "2.pro,720,10,", "2.pro,1080,10,", "2.pro,1080,15,",
            "2,1080,10,RESOLUTION_NOT_FOUND", "2,720,15,DURATION_NOT_FOUND", "2.pro,720,15,DURATION_NOT_FOUND",
            "2.pro,480,10,RESOLUTION_NOT_FOUND", "3,720,10,VERSION_NOT_FOUND"})
    void the_seed_rules_per_version(String version, int resolution, int duration, String code) throws Exception {
        Rejection r = adapter.validate(req(base(version, resolution, duration)));
        if (code == null) {
            assertThat(r).isNull();
        } else {
            assertThat(r.code()).isEqualTo(code);
            assertThat(r.message()).isNotBlank();
        }
    }

    @Test
    void missing_fields_get_their_is_empty_codes() throws Exception {
        assertThat(adapter.validate(req("{}")).code()).isEqualTo("VERSION_IS_EMPTY");
        assertThat(adapter.validate(req("{\"version\":\"2\"}")).code()).isEqualTo("PROMPT_IS_EMPTY");
        assertThat(adapter.validate(req("{\"version\":\"2\",\"prompt\":\"a b\"}")).code()).isEqualTo("RESOLUTION_IS_EMPTY");
        assertThat(adapter.validate(req("{\"version\":\"2\",\"prompt\":\"a b\",\"resolution\":720}")).code())
                .isEqualTo("DIMENSIONS_IS_EMPTY");
        assertThat(adapter.validate(req("{\"version\":\"2\",\"prompt\":\"a b\",\"resolution\":720,\"dimensions\":\"9:16\"}"))
                .code()).isEqualTo("DURATION_IS_EMPTY");
        assertThat(adapter.validate(req(base("2", 720, 10).replace(",\"customer_id\":\"c\"", ""))).code())
                .isEqualTo("CUSTOMER_ID_IS_EMPTY");
    }

    @Test
    void image_url_form_is_checked() throws Exception {
        String ok = base("2", 720, 10).replace("}", ",\"image_url\":\"https://example.org/a.png\"}");
        assertThat(adapter.validate(req(ok))).isNull();
        assertThat(adapter.validate(req(ok.replace("https://example.org/a.png", "ftp://x/a.png"))).code())
                .isEqualTo("IMAGE_URL_NOT_VALID");
        assertThat(adapter.validate(req(ok.replace("https://example.org/a.png", " "))).code())
                .isEqualTo("IMAGE_URL_IS_EMPTY");
    }

    @Test
    void the_submit_sends_only_api_fields() throws Exception {
        Job job = new Job();
        job.request = req(base("2", 720, 10).replace("{", "{\"request_id\":\"r1\",\"provider\":\"yesai\","));
        HttpCall call = adapter.submit(job);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.url()).isEqualTo("http://127.0.0.1:1/v2/yesvideo/aniimage/sora");
        assertThat(JSON.readTree(call.jsonBody()).has("request_id")).isFalse();
        assertThat(JSON.readTree(call.jsonBody()).path("resolution").isInt()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({"429,TOO_MANY_REQUESTS,RETRY", "500,INTERNAL_SERVER_ERROR,RETRY", "409,TASK_LIMIT_EXCEEDED,RETRY",
            "401,UNAUTHORIZED,PAUSE", "409,NOT_ENOUGH_RPOINTS,PAUSE", "409,USER_HAS_BEEN_BANNED,CUSTOMER_BANNED",
            "409,USER_HAS_BEEN_DELETED,CUSTOMER_BANNED", "409,PROMPT_NSFW_WORDS,REJECTED",
            "409,PROMPT_EN_NSFW_WORDS,REJECTED", "409,PROMPT_FAILED_TO_TRANSLATE,REJECTED",
            "409,PARAMETERS_IS_NOT_ALLOWED,REJECTED", "400,DURATION_NOT_VALID,REJECTED", "404,VERSION_NOT_FOUND,REJECTED",
            "400,IMAGE_MIME_TYPE_NOT_VALID,REJECTED", "404,IMAGE_NOT_FOUND,REJECTED", "502,BAD_GATEWAY,OUTCOME_UNKNOWN",
            "503,SERVICE_UNAVAILABLE,RETRY"})
    void every_submit_error_has_a_policy(int status, String code, SubmitResult.Kind kind) {
        SubmitResult r = adapter.interpretSubmit(HttpAnswer.of(status, "{\"success\":false,\"message\":\"" + code + "\"}"));
        assertThat(r.kind()).isEqualTo(kind);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.message()).isNotBlank();
    }

    @Test
    void a_200_without_a_task_id_is_an_unknown_outcome_never_a_retry() {
        assertThat(adapter.interpretSubmit(HttpAnswer.of(200, "<html>gateway</html>")).kind())
                .isEqualTo(SubmitResult.Kind.OUTCOME_UNKNOWN);
        assertThat(adapter.interpretSubmit(HttpAnswer.of(200,
                "{\"success\":true,\"message\":\"OK\",\"results\":{\"animation_data\":{\"id\":123}}}")).taskId())
                .isEqualTo("123");
    }

    @Test
    void statuses_map_to_their_next_step() {
        String t = "{\"success\":true,\"message\":\"OK\",\"results\":{\"animation_data\":{\"id\":1,%s}}}";
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, t.formatted("\"status\":0"))).kind()).isEqualTo(StatusResult.Kind.WAITING);
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, t.formatted("\"status\":1"))).kind()).isEqualTo(StatusResult.Kind.WAITING);
        StatusResult done = adapter.interpretStatus(HttpAnswer.of(200, t.formatted("\"status\":2,\"result_url\":\"http://x/v.mp4\"")));
        assertThat(done.kind()).isEqualTo(StatusResult.Kind.COMPLETED);
        assertThat(done.resultUrl()).isEqualTo("http://x/v.mp4");
        StatusResult failed = adapter.interpretStatus(HttpAnswer.of(200,
                t.formatted("\"status\":3,\"comment_ru\":\"нельзя\",\"comment_en\":\"not allowed\"")));
        assertThat(failed.kind()).isEqualTo(StatusResult.Kind.FAILED);
        assertThat(failed.commentRu()).isEqualTo("нельзя");
        assertThat(failed.commentEn()).isEqualTo("not allowed");
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, t.formatted("\"status\":4"))).kind()).isEqualTo(StatusResult.Kind.TIMED_OUT);
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, t.formatted("\"status\":2"))).kind())
                .as("completed without a link").isEqualTo(StatusResult.Kind.LOST);
        assertThat(adapter.interpretStatus(HttpAnswer.of(200, t.formatted("\"status\":9"))).kind()).isEqualTo(StatusResult.Kind.LOST);
        assertThat(adapter.interpretStatus(HttpAnswer.of(429, "{\"success\":false,\"message\":\"TOO_MANY_REQUESTS\"}")).kind())
                .isEqualTo(StatusResult.Kind.RETRY);
        assertThat(adapter.interpretStatus(HttpAnswer.of(401, "{\"success\":false,\"message\":\"UNAUTHORIZED\"}")).kind())
                .isEqualTo(StatusResult.Kind.PAUSE);
        assertThat(adapter.interpretStatus(HttpAnswer.of(404, "{\"success\":false,\"message\":\"ID_NOT_FOUND\"}")).kind())
                .isEqualTo(StatusResult.Kind.LOST);
    }
}
