package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soracamel.sandbox.VideosTestClient.Reply;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The create rules of OpenAI's spec, each answered 400 in OpenAI's error shape with its param and code,
 * creating no job; and the defaults a valid body gets. One sandbox serves the whole class.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class VideosValidationTest {

    private static final double SCALE = 0.01;

    private SandboxServer server;
    private VideosTestClient client;

    @BeforeAll
    void start() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(1000));
        client = new VideosTestClient(server, SCALE, "sandbox-token");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static Stream<Arguments> invalidBodies() {
        String ok = "\"prompt\":\"a cat on a wall\"";
        return Stream.of(
                Arguments.of("{\"model\":\"sora-2\",\"size\":\"1280x720\"}", "prompt", "missing_required_parameter"),
                Arguments.of("{\"prompt\":\"\"}", "prompt", "string_below_min_length"),
                Arguments.of("{\"prompt\":42}", "prompt", "invalid_type"),
                Arguments.of("{\"prompt\":null}", "prompt", "invalid_type"),
                Arguments.of("{\"prompt\":\"" + "x".repeat(32_001) + "\"}", "prompt", "string_above_max_length"),
                Arguments.of("{" + ok + ",\"seconds\":4}", "seconds", "invalid_type"),
                Arguments.of("{" + ok + ",\"seconds\":\"5\"}", "seconds", "invalid_value"),
                Arguments.of("{" + ok + ",\"seconds\":\"10\"}", "seconds", "invalid_value"),
                Arguments.of("{" + ok + ",\"model\":\"sora-2\",\"size\":\"1792x1024\"}", "size", "invalid_value"),
                Arguments.of("{" + ok + ",\"model\":\"sora-2\",\"size\":\"1920x1080\"}", "size", "invalid_value"),
                Arguments.of("{" + ok + ",\"model\":\"sora-2-landscape\",\"size\":\"720x1280\"}", "size", "invalid_value"),
                Arguments.of("{" + ok + ",\"size\":1280}", "size", "invalid_type"),
                Arguments.of("{" + ok + ",\"model\":\"veo-9\"}", "model", "invalid_value"),
                Arguments.of("{" + ok + ",\"model\":2}", "model", "invalid_type"),
                Arguments.of("{" + ok + ",\"duration\":4}", "duration", "unknown_parameter"),
                Arguments.of("{" + ok + ",\"image_url\":\"https://x.test/a.png\"}", "image_url", "unknown_parameter"),
                Arguments.of("{" + ok + ",\"input_reference\":\"https://x.test/a.png\"}", "input_reference",
                        "invalid_type"),
                Arguments.of("{" + ok + ",\"input_reference\":{}}", "input_reference", "invalid_value"),
                Arguments.of("{" + ok + ",\"input_reference\":{\"image_url\":\"https://x.test/a.png\","
                        + "\"file_id\":\"file-1\"}}", "input_reference", "invalid_value"),
                Arguments.of("{" + ok + ",\"input_reference\":{\"image_url\":\"ftp://x.test/a.png\"}}",
                        "input_reference.image_url", "invalid_value"),
                Arguments.of("{" + ok + ",\"input_reference\":{\"image_url\":\"a.png\"}}",
                        "input_reference.image_url", "invalid_value"),
                Arguments.of("{" + ok + ",\"input_reference\":{\"url\":\"https://x.test/a.png\"}}",
                        "input_reference.url", "unknown_parameter"));
    }

    @ParameterizedTest
    @MethodSource("invalidBodies")
    void invalidBodiesAre400WithParamAndCode(String body, String param, String code) {
        long created = server.stats().tasksCreated();
        Reply r = client.createPaced(body);
        assertThat(r.httpStatus()).as(r.toString()).isEqualTo(400);
        assertThat(r.error().path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(r.error().path("param").asText()).isEqualTo(param);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.error().path("message").asText()).isNotBlank();
        assertThat(server.stats().tasksCreated()).isEqualTo(created);
    }

    @Test
    void bodiesThatAreNoJsonObjectAreRefused() {
        Reply notJson = client.createPaced("model=sora-2&prompt=a+cat");
        assertThat(notJson.httpStatus()).isEqualTo(400);
        assertThat(notJson.error().path("message").asText()).contains("could not parse the JSON body");
        assertThat(notJson.error().path("param").isNull()).isTrue();
        assertThat(client.createPaced("[1, 2]").httpStatus()).isEqualTo(400);
        Reply multipart = client.createPacedAs("{\"prompt\":\"a cat on a wall\"}", "multipart/form-data; boundary=x");
        assertThat(multipart.httpStatus()).isEqualTo(400);
        assertThat(multipart.error().path("message").asText()).contains("application/json");
    }

    @Test
    void absentFieldsGetTheSpecsDefaults() {
        Reply r = client.createPaced("{\"prompt\":\"a cat on a wall\"}");
        assertThat(r.httpStatus()).as(r.toString()).isEqualTo(200);
        assertThat(r.body().path("model").asText()).isEqualTo("sora-2");
        assertThat(r.body().path("size").asText()).isEqualTo("720x1280");
        assertThat(r.body().path("seconds").asText()).isEqualTo("4");

        // An alias renders one orientation, so that is its default.
        Reply alias = client.createPaced("{\"prompt\":\"a cat on a wall\",\"model\":\"sora-2-landscape-hd\"}");
        assertThat(alias.body().path("size").asText()).isEqualTo("1280x720");

        Reply full = client.createPaced("{\"prompt\":\"a cat on a wall\",\"model\":\"sora-2-pro-2025-10-06\","
                + "\"size\":\"1024x1792\",\"seconds\":\"12\",\"input_reference\":{\"image_url\":"
                + "\"https://x.test/a.png\"}}");
        assertThat(full.httpStatus()).as(full.toString()).isEqualTo(200);
        assertThat(full.body().path("seconds").asText()).isEqualTo("12");
        Reply nulls = client.createPaced("{\"prompt\":\"a cat on a wall\",\"model\":null,\"size\":null,"
                + "\"seconds\":null,\"input_reference\":{\"file_id\":\"file-123\",\"image_url\":null}}");
        assertThat(nulls.httpStatus()).as(nulls.toString()).isEqualTo(200);
    }

    @Test
    void aWrongOrMissingTokenIs401() {
        VideosTestClient stranger = new VideosTestClient(server, SCALE, "not-a-token");
        Reply wrong = stranger.createNow(SandboxTestClient.json(VideosTestClient.body("a cat")), "application/json");
        assertThat(wrong.httpStatus()).isEqualTo(401);
        assertThat(wrong.code()).isEqualTo("invalid_api_key");
        assertThat(wrong.error().path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(wrong.error().path("message").asText()).doesNotContain("not-a-token");
        VideosTestClient anonymous = new VideosTestClient(server, SCALE, null);
        assertThat(anonymous.retrieveNow("video_1").httpStatus()).isEqualTo(401);
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void unknownIdsAndRoutesAre404() {
        Reply unknown = client.retrieve("video_0123");
        assertThat(unknown.httpStatus()).isEqualTo(404);
        assertThat(unknown.code()).isEqualTo("video_not_found");
        Reply delete = client.send(client.request("/v1/videos/video_1").DELETE().build());
        assertThat(delete.httpStatus()).isEqualTo(404);
        assertThat(delete.error().path("message").asText()).isEqualTo("Invalid URL (DELETE /v1/videos/video_1)");
        assertThat(client.get("/v1/videos/video_1/remix").httpStatus()).isEqualTo(404);
    }
}
