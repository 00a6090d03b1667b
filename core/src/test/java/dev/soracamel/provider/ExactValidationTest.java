package dev.soracamel.provider;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.validate.OpenAiCatalog;
import dev.soracamel.validate.Rejection;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What passes local validation is what the provider is sent, and the provider would take it: numbers as
 * written (no wrap-around), text with every kind of white space and invisible character in mind, links as the
 * provider reads them. A request refused here costs nothing; one that slips through is a paid refusal.
 */
class ExactValidationTest {

    static final ObjectMapper JSON = new ObjectMapper();
    final YesAiAdapter yes;
    final OpenAiAdapter open;

    ExactValidationTest() throws Exception {
        ProviderSettings y = new ProviderSettings("yesai", "yesai", URI.create("http://127.0.0.1:1/"), "t", 3,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(20), 60, 2, "", Duration.ofSeconds(1),
                Duration.ofSeconds(1), "sora.yesai");
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            yes = new YesAiAdapter(y, YesAiCatalog.read(in), JSON);
        }
        ProviderSettings o = new ProviderSettings("gw", "openai-compatible", URI.create("http://127.0.0.1:9/"), "t", 2,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(20), 60, 2, "catalog.yaml",
                Duration.ofSeconds(1), Duration.ofSeconds(1), "sora.gw");
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/openai-compatible.yaml")) {
            open = new OpenAiAdapter(o, OpenAiCatalog.read(in), JSON);
        }
    }

    static String yesAi(String field, String rawValue) {
        String base = "{\"version\":\"2\",\"prompt\":\"a cat on a beach\",\"resolution\":720,\"dimensions\":\"16:9\","
                + "\"duration\":10,\"customer_id\":\"c\"}";
        return base.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+)", java.util.regex.Matcher.quoteReplacement("\"" + field + "\":" + rawValue));
    }

    Rejection yes(String json) throws Exception {
        return yes.validate((ObjectNode) JSON.readTree(json));
    }

    Rejection open(String json) throws Exception {
        return open.validate((ObjectNode) JSON.readTree(json));
    }

    @Test
    void numbers_are_checked_as_written_none_wraps_to_an_allowed_value() throws Exception {
        // 4294967306 = 2^32 + 10: as an int it would be 10, which version 2 allows
        for (String n : List.of("4294967306", "-4294967286", "18446744073709551626", "9223372036854775817",
                "10.0", "1e1", "10.5", "\"10\"", "true")) {
            Rejection r = yes(yesAi("duration", n));
            assertThat(r).as("duration " + n).isNotNull();
            assertThat(r.code()).as("duration " + n).isEqualTo("DURATION_NOT_VALID");
        }
        for (String n : List.of("4294968016", "720.0", "\"720\"")) { // 2^32 + 720
            assertThat(yes(yesAi("resolution", n)).code()).as("resolution " + n).isEqualTo("RESOLUTION_NOT_VALID");
        }
        // OpenAI: 2^32 + 4 must not pass as "4"
        for (String s : List.of("4294967300", "\"4 \"", "\" 4\"", "\"4.0\"", "4.0", "\"+4\"")) {
            Rejection r = open("{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"seconds\":" + s + "}");
            assertThat(r).as("seconds " + s).isNotNull();
            assertThat(r.code()).as("seconds " + s).isIn("SECONDS_NOT_VALID", "SECONDS_NOT_FOUND");
        }
    }

    @Test
    void well_formed_values_the_model_does_not_offer_are_not_found_malformed_ones_not_valid() throws Exception {
        assertThat(yes(yesAi("duration", "15")).code()).isEqualTo("DURATION_NOT_FOUND");
        assertThat(yes(yesAi("duration", "7")).code()).isEqualTo("DURATION_NOT_FOUND");
        assertThat(yes(yesAi("resolution", "1080")).code()).isEqualTo("RESOLUTION_NOT_FOUND");
        assertThat(yes(yesAi("dimensions", "\"4:3\"")).code()).isEqualTo("DIMENSIONS_NOT_FOUND");
        assertThat(yes(yesAi("dimensions", "169")).code()).isEqualTo("DIMENSIONS_NOT_VALID");
        assertThat(yes(yesAi("version", "\"3\"")).code()).isEqualTo("VERSION_NOT_FOUND");
        assertThat(yes(yesAi("version", "2")).code()).isEqualTo("VERSION_NOT_VALID");
        assertThat(open("{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1792x1024\"}").code()).isEqualTo("SIZE_NOT_FOUND");
        assertThat(open("{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"big\"}").code()).isEqualTo("SIZE_NOT_VALID");
        assertThat(open("{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"seconds\":\"5\"}").code())
                .isEqualTo("SECONDS_NOT_FOUND");
        assertThat(open("{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"seconds\":\"four\"}").code())
                .isEqualTo("SECONDS_NOT_VALID");
    }

    @Test
    void prompts_of_unicode_white_space_or_invisible_characters_are_empty_or_one_word() throws Exception {
        String nbsp = "\\u00a0";
        for (String blank : List.of(nbsp + nbsp, "\\u2003\\u3000", "\\u200b\\u200b", "\\ufeff", "\\u2800\\u2800",
                "\\u3164", "\\u180e")) {
            Rejection r = yes(yesAi("prompt", "\"" + blank + "\""));
            assertThat(r).as(blank).isNotNull();
            assertThat(r.code()).as(blank).isEqualTo("PROMPT_IS_EMPTY");
            assertThat(open("{\"model\":\"sora-2\",\"prompt\":\"" + blank + "\",\"size\":\"1280x720\"}").code())
                    .as(blank).isEqualTo("PROMPT_IS_EMPTY");
        }
        // two "words" that are white space and invisible characters around one real word
        for (String one : List.of("cat" + nbsp + nbsp, nbsp + "cat" + nbsp, "cat\\u200b\\u200b", "\\u3000cat\\u2003")) {
            assertThat(yes(yesAi("prompt", "\"" + one + "\"")).code()).as(one).isEqualTo("PROMPT_NOT_VALID");
        }
        // a no-break space between two words still separates them
        assertThat(yes(yesAi("prompt", "\"a" + nbsp + "cat\""))).isNull();
        assertThat(yes(yesAi("prompt", "\"a cat\\u0000\"")).code()).isEqualTo("PROMPT_NOT_VALID");
        assertThat(yes(yesAi("customer_id", "\"" + nbsp + "\"")).code()).isEqualTo("CUSTOMER_ID_IS_EMPTY");
    }

    @Test
    void links_are_checked_as_the_provider_reads_them() throws Exception {
        for (String bad : List.of("HTTP://example.com/a.png", "Https://example.com/a.png", " https://example.com/a.png",
                "https://example.com/a.png ", "https://example.com/a b.png", "https://example.com/a.png\\n",
                "https://example.com/\\u00e9.png", "https://user:pw@example.com/a.png", "ftp://example.com/a.png",
                "javascript:alert(1)", "https:///a.png", "//example.com/a.png", "https://exa mple.com/a.png",
                "https://example.com/\\u200ba.png")) {
            Rejection r = yes(yesAi("customer_id", "\"c\",\"image_url\":\"" + bad + "\""));
            assertThat(r).as(bad).isNotNull();
            assertThat(r.code()).as(bad).isEqualTo("IMAGE_URL_NOT_VALID");
            Rejection o = open("{\"model\":\"sora-2\",\"prompt\":\"p\",\"size\":\"1280x720\",\"image_url\":\"" + bad + "\"}");
            assertThat(o.code()).as(bad).isEqualTo("IMAGE_URL_NOT_VALID");
        }
        assertThat(yes(yesAi("customer_id", "\"c\",\"image_url\":\"https://example.com/a.png?x=1%20y\""))).isNull();
        assertThat(yes(yesAi("customer_id", "\"c\",\"image_url\":\"\\u00a0\"")).code()).isEqualTo("IMAGE_URL_IS_EMPTY");
    }

    @Test
    void what_passed_is_byte_for_byte_what_is_sent() throws Exception {
        String link = "https://example.com/pics/a.png?size=large&v=2";
        ObjectNode request = (ObjectNode) JSON.readTree(yesAi("customer_id", "\"c-1\",\"image_url\":\"" + link + "\"")
                .replace("a cat on a beach", "a\u00a0cat on a beach"));
        assertThat(yes.validate(request)).isNull();
        Job job = new Job();
        job.requestId = "r";
        job.model = "2";
        job.request = request;
        JsonNode sent = JSON.readTree(yes.submit(job).jsonBody());
        for (String f : List.of("version", "prompt", "resolution", "dimensions", "duration", "image_url", "customer_id")) {
            assertThat(sent.get(f)).as(f).isEqualTo(request.get(f));
        }
        assertThat(sent.get("image_url").asText()).isEqualTo(link);

        ObjectNode o = (ObjectNode) JSON.readTree("{\"model\":\"sora-2\",\"prompt\":\"p q\",\"size\":\"1280x720\","
                + "\"seconds\":8,\"image_url\":\"" + link + "\"}");
        assertThat(open.validate(o)).isNull();
        job.model = "sora-2";
        job.request = o;
        JsonNode body = JSON.readTree(open.submit(job).jsonBody());
        assertThat(body.get("seconds").asText()).isEqualTo("8");
        assertThat(body.path("input_reference").path("image_url").asText()).isEqualTo(link);
        assertThat(body.get("prompt").asText()).isEqualTo("p q");
    }
}
