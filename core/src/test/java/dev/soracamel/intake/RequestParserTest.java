package dev.soracamel.intake;

import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestParserTest {

    final RequestParser parser = new RequestParser(new ObjectMapper(), 1000);

    List<IntakeItem> parse(String name, String content) {
        byte[] b = content.getBytes(StandardCharsets.UTF_8);
        return parser.parse(name, b.length, () -> b);
    }

    @Test
    void a_single_request_takes_its_id_from_the_file_name_unless_it_has_one() {
        assertThat(parse("cat-video.json", "{\"prompt\":\"x\"}").get(0).requestId()).isEqualTo("cat-video");
        // a name that is no plain id keeps a hash of itself, so "cat video" and "cat_video" stay two requests
        assertThat(parse("cat video.json", "{\"prompt\":\"x\"}").get(0).requestId()).startsWith("cat_video+")
                .isNotEqualTo(parse("cat_video.json", "{\"prompt\":\"x\"}").get(0).requestId());
        assertThat(parse("a.json", "{\"request_id\":\"own-1\"}").get(0).requestId()).isEqualTo("own-1");
    }

    @Test
    void an_array_is_one_request_per_element() {
        List<IntakeItem> items = parse("batch.json", "[{\"a\":1},{\"request_id\":\"x\"},3]");
        assertThat(items).extracting(IntakeItem::requestId).containsExactly("batch-1", "x", "batch-3");
        assertThat(items.get(2).rejection().code()).isEqualTo("NOT_A_REQUEST");
        assertThat(items.get(0).original()).isNotNull();
    }

    @Test
    void unreadable_files_are_rejected_whole() {
        assertThat(parse("a.txt", "hi").get(0).rejection().code()).isEqualTo("NOT_A_JSON_FILE");
        assertThat(parse("a.json", " ").get(0).rejection().code()).isEqualTo("EMPTY_REQUEST_FILE");
        assertThat(parse("a.json", "[]").get(0).rejection().code()).isEqualTo("EMPTY_REQUEST_FILE");
        assertThat(parse("a.json", "{").get(0).rejection().message()).contains("line 1");
        assertThat(parse("a.json", "\"s\"").get(0).rejection().code()).isEqualTo("NOT_A_REQUEST");
        assertThat(parser.parse("big.json", 5000, () -> {
            throw new AssertionError("a too large file must not be read");
        }).get(0).rejection().code()).isEqualTo("REQUEST_FILE_TOO_LARGE");
    }

    @Test
    void unsafe_request_ids_are_refused() {
        for (String bad : new String[] {"../x", "a/b", "..", ".hidden", "a..b", "", "x".repeat(129), "a b"}) {
            IntakeItem item = parse("f.json", "{\"request_id\":" + new ObjectMapper().valueToTree(bad) + "}").get(0);
            assertThat(item.rejection()).as(bad).isNotNull();
            assertThat(item.rejection().code()).isEqualTo("REQUEST_ID_NOT_VALID");
            assertThat(RequestIds.isSafe(item.requestId())).isTrue();
        }
        assertThat(RequestIds.isSafe("tg-123_a.b@c+d")).isTrue();
        assertThat(RequestIds.fromFileName("../../..json")).doesNotContain("..");
    }

    @Test
    void a_request_as_a_message_is_one_object_kept_whole_as_its_original() {
        byte[] ok = "{\"request_id\":\"own-2\",\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        IntakeItem item = parser.one("generated", "POST /jobs", ok);
        assertThat(item.requestId()).isEqualTo("own-2");
        assertThat(item.rejection()).isNull();
        assertThat(item.original()).isEqualTo(ok);
        assertThat(item.source()).isEqualTo("POST /jobs");
        assertThat(parser.one("generated", "s", "{\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8)).requestId())
                .isEqualTo("generated");
        assertThat(one(" ").rejection().code()).isEqualTo("EMPTY_REQUEST");
        assertThat(one("{\"a\":").rejection().code()).isEqualTo("MALFORMED_JSON");
        assertThat(one("[{\"a\":1}]").rejection().code()).isEqualTo("NOT_A_REQUEST");
        assertThat(one("[{\"a\":1}]").rejection().message()).contains("one request per call");
        assertThat(one("{\"request_id\":\"../x\"}").rejection().code()).isEqualTo("REQUEST_ID_NOT_VALID");
    }

    IntakeItem one(String content) {
        return parser.one("generated", "s", content.getBytes(StandardCharsets.UTF_8));
    }
}
