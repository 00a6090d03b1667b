package dev.soracamel.intake;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import dev.soracamel.SoraPipeline;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parser failures are bad input, never a crash: too deep, too long, more than one value, a field twice, not
 * UTF-8: each is MALFORMED_JSON with a sentence, from a file and from a message (REST) alike.
 */
class StrictJsonTest {

    static final int MAX = 64 * 1024;
    final RequestParser parser = new RequestParser(SoraPipeline.jsonMapper(), MAX);

    static final String OK = "{\"version\":\"2\",\"prompt\":\"a cat\",\"resolution\":720,\"dimensions\":\"16:9\","
            + "\"duration\":10,\"customer_id\":\"c\"}";

    List<IntakeItem> file(byte[] b) {
        return parser.parse("f.json", b.length, () -> b);
    }

    List<IntakeItem> file(String s) {
        return file(s.getBytes(StandardCharsets.UTF_8));
    }

    IntakeItem message(String s) {
        return parser.one("id-1", "POST /jobs", s.getBytes(StandardCharsets.UTF_8));
    }

    /** One rejection for the whole input: MALFORMED_JSON, with a sentence and no exception's name in it. */
    void malformed(String input, String says) {
        List<IntakeItem> items = file(input);
        assertThat(items).as(abbrev(input)).singleElement()
                .satisfies(i -> assertThat(i.rejection()).isNotNull());
        IntakeItem fromFile = items.get(0);
        IntakeItem fromMessage = message(input);
        for (IntakeItem i : List.of(fromFile, fromMessage)) {
            assertThat(i.rejection().code()).as(abbrev(input)).isEqualTo("MALFORMED_JSON");
            assertThat(i.rejection().message()).as(abbrev(input)).contains(says)
                    .doesNotContain("Exception", "com.fasterxml", "java.", "\n");
            assertThat(i.request()).isNull();
        }
    }

    static String abbrev(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    @Test
    void concatenated_objects_are_refused_whole_never_cut_to_the_first() {
        malformed(OK + "\n" + OK.replace("a cat", "a dog"), "more than one JSON value");
        malformed(OK + OK, "more than one JSON value");
        malformed("[" + OK + "]\n" + OK, "more than one JSON value");
        malformed(OK + " 42", "more than one JSON value");
        malformed(OK + " ]", "");
        // white space after the one value is fine
        assertThat(file(OK + "\n\n  \t").get(0).rejection()).isNull();
        assertThat(message(OK + "\r\n").rejection()).isNull();
    }

    @Test
    void nesting_deeper_than_the_limit_is_malformed_not_a_crash() {
        for (int depth : new int[] {RequestParser.MAX_DEPTH + 1, 1001, 5000}) {
            String deep = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            malformed(deep, "nested deeper than");
            String arrays = "[".repeat(depth) + "]".repeat(depth);
            malformed(arrays, "nested deeper than");
        }
        // within the limit: read (and then refused for what it is, not for its depth)
        String fine = "{\"a\":".repeat(RequestParser.MAX_DEPTH - 1) + "1" + "}".repeat(RequestParser.MAX_DEPTH - 1);
        assertThat(file(fine).get(0).rejection()).isNull();
    }

    @Test
    void numbers_with_hundreds_of_digits_are_malformed_not_a_crash() {
        for (int digits : new int[] {RequestParser.MAX_NUMBER_LENGTH + 1, 1000, 1001, 5000}) {
            malformed(OK.replace("\"duration\":10", "\"duration\":" + "9".repeat(digits)), "number longer than");
            malformed(OK.replace("\"duration\":10", "\"duration\":0." + "1".repeat(digits)), "number longer than");
        }
        // a long but bounded number is read as written, for the validation to refuse it
        IntakeItem big = file(OK.replace("\"duration\":10", "\"duration\":4294967306")).get(0);
        assertThat(big.rejection()).isNull();
        assertThat(big.request().get("duration").asText()).isEqualTo("4294967306");
    }

    @Test
    void a_field_given_twice_is_refused_which_copy_would_the_provider_take() {
        malformed(OK.replace("\"duration\":10", "\"duration\":10,\"duration\":15"), "given twice");
    }

    @Test
    void bytes_that_are_not_utf8_are_refused() {
        byte[] latin1 = OK.replace("a cat", "caf\u00e9 cat").getBytes(StandardCharsets.ISO_8859_1);
        List<IntakeItem> items = file(latin1);
        assertThat(items.get(0).rejection().code()).isEqualTo("MALFORMED_JSON");
        assertThat(items.get(0).rejection().message()).contains("not UTF-8");
        assertThat(parser.one("x", "POST /jobs", latin1).rejection().message()).contains("not UTF-8");
    }

    @Test
    void truncated_and_garbage_input_says_where() {
        malformed("{\"version\": \"2\", \"prompt\": ", "line 1");
        malformed("\u0000\u0001\u0002", "");
        malformed("{'version': '2'}", "");
        malformed("NaN", "");
    }

    /**
     * Generated inputs (a seeded mix of fragments of requests, brackets, numbers, strings and bytes): the parser
     * never throws, and every input ends as items, each a request or a rejection with a code and a sentence.
     */
    @RepeatedTest(20)
    void any_input_ends_as_items_never_as_an_exception(org.junit.jupiter.api.RepetitionInfo rep) {
        Random random = new Random(rep.getCurrentRepetition() * 7919L);
        String[] parts = {"{", "}", "[", "]", ",", ":", "\"", "\"version\"", "\"2\"", "1", "-0", "1e999", "4294967306",
                "null", "true", " ", "\n", "\\u0000", "\\", OK, "\u00a0", "\ud83d\ude00", "9".repeat(70), "{\"a\":"};
        for (int n = 0; n < 200; n++) {
            StringBuilder sb = new StringBuilder();
            int len = random.nextInt(40);
            for (int i = 0; i < len; i++) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
            if (random.nextInt(10) == 0 && bytes.length > 0) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            byte[] input = bytes;
            List<IntakeItem> items = parser.parse("g.json", input.length, () -> input);
            assertThat(items).isNotEmpty();
            for (IntakeItem i : items) {
                assertThat(i.request() != null || i.rejection() != null).isTrue();
                if (i.rejection() != null) {
                    assertThat(i.rejection().code()).isNotBlank();
                    assertThat(i.rejection().message()).isNotBlank().doesNotContain("Exception");
                }
                assertThat(RequestIds.isSafe(i.requestId())).isTrue();
            }
            IntakeItem one = parser.one("m-1", "POST /jobs", input);
            assertThat(one.request() != null || one.rejection() != null).isTrue();
        }
    }
}
