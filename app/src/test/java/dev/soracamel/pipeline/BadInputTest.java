package dev.soracamel.pipeline;

import java.nio.file.Files;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Whatever lands in the inbox ends somewhere a person can see it, with a reason; nothing is paid for it. */
class BadInputTest extends PipelineTestSupport {

    @Test
    void every_kind_of_bad_input_is_dead_lettered_with_a_reason_and_nothing_is_lost() throws Exception {
        drop("malformed.json", "{\"version\": \"2\", \"prompt\": ");
        drop("empty.json", "");
        drop("types.json", "{\"version\": 2, \"prompt\": \"two words\", \"resolution\": 720, \"dimensions\": \"16:9\","
                + " \"duration\": 10, \"customer_id\": \"c\"}");
        drop("resolution-text.json", request("2", "two words", 720, 10, "c").replace("720", "\"720\""));
        drop("nocustomer.json", "{\"version\": \"2\", \"prompt\": \"two words\", \"resolution\": 720,"
                + " \"dimensions\": \"16:9\", \"duration\": 10}");
        drop("escape.json", "{\"request_id\": \"../../etc/passwd\", \"version\": \"2\", \"prompt\": \"two words\","
                + " \"resolution\": 720, \"dimensions\": \"16:9\", \"duration\": 10, \"customer_id\": \"c\"}");
        drop("escape-customer.json", v2("two words here", "../../outside"));
        drop("too-long.json", request("2", "A ten second limit", 720, 15, "c"));
        drop("pro-15-at-720.json", request("2.pro", "Fifteen seconds need 1080p", 720, 15, "c"));
        drop("one-word.json", v2("Cat", "c"));
        drop("typo.json", "{\"version\": \"2\", \"prompt\": \"two words\", \"resolution\": 720,"
                + " \"dimensions\": \"16:9\", \"durration\": 10, \"customer_id\": \"c\"}");
        drop("number.json", "42");
        drop("notes.txt", "not a request at all");
        drop("mixed.json", "[" + v2("A valid element in a mixed file", "c") + ", \"a string\"]");

        awaitSettled(15, Duration.ofSeconds(30));

        expect("malformed", "MALFORMED_JSON");
        expect("empty", "EMPTY_REQUEST_FILE");
        expect("types", "VERSION_NOT_VALID");
        expect("resolution-text", "RESOLUTION_NOT_VALID");
        expect("nocustomer", "CUSTOMER_ID_IS_EMPTY");
        expect("escape", "REQUEST_ID_NOT_VALID");
        expect("escape-customer", "CUSTOMER_ID_NOT_VALID");
        // well-formed, but not offered: the seed's *_NOT_FOUND
        expect("too-long", "DURATION_NOT_FOUND");
        expect("pro-15-at-720", "DURATION_NOT_FOUND");
        expect("one-word", "PROMPT_NOT_VALID");
        expect("typo", "PARAMETERS_IS_NOT_ALLOWED");
        expect("number", "NOT_A_REQUEST");
        String notes = dev.soracamel.intake.RequestIds.fromFileName("notes.txt");
        expect(notes, "NOT_A_JSON_FILE");
        expect("mixed-2", "NOT_A_REQUEST");
        assertThat(stored("c", "mixed-1")).exists();

        // the originals travel with their reasons
        assertThat(originalOf("malformed")).hasContent("{\"version\": \"2\", \"prompt\": ");
        assertThat(originalOf(notes)).hasContent("not a request at all");
        assertThat(originalOf("escape")).exists();
        // nothing escaped its folder, nothing stayed behind, nothing was paid for
        assertThat(dir.resolve("etc")).doesNotExist();
        assertThat(dir.resolve("outside")).doesNotExist();
        assertThat(inboxEmpty()).isTrue();
        assertThat(dir.resolve("inbox")).isEmptyDirectory();
        assertThat(archived()).hasSize(14);
        assertThat(sandbox().stats().posts()).isEqualTo(1);
        assertThat(error("too-long").path("message").asText()).contains("10");
    }

    private void expect(String id, String code) throws Exception {
        assertThat(errorOf(id)).as(id + " dead letter").exists();
        assertThat(error(id).path("code").asText()).as(id).isEqualTo(code);
        assertThat(error(id).path("message").asText()).as(id + " has a reason").isNotBlank();
        assertThat(Files.size(errorOf(id))).isPositive();
    }
}
