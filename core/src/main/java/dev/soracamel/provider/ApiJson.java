package dev.soracamel.provider;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.text.Untrusted;
import dev.soracamel.validate.Rejection;

/** What every adapter does the same way with requests and answers. */
final class ApiJson {

    private ApiJson() {
    }

    /** An answer's JSON object, or null when the body is empty, not JSON, or not an object. */
    static JsonNode parseObject(ObjectMapper json, String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode n = json.readTree(body);
            return n != null && n.isObject() ? n : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Absent, null, or text with nothing visible in it (no-break spaces and zero-width characters count as nothing). */
    static boolean missing(JsonNode n) {
        return n == null || n.isNull() || (n.isTextual() && Untrusted.isBlank(n.asText()));
    }

    /** A whole number exactly as written that fits an int: 4294967306 does not (it must not wrap to 10). */
    static boolean isExactInt(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToInt();
    }

    /** Control characters other than line breaks and tabs, which no prompt needs and a log or provider may choke on. */
    static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\r' && c != '\t') {
                return true;
            }
        }
        return false;
    }

    /** A typo in an optional field would otherwise be dropped without a word: refuse unknown fields. */
    static Rejection unknownField(ObjectNode request, Collection<String> apiFields, Collection<String> ownFields,
                                  String code, String apiName) {
        for (var it = request.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!apiFields.contains(f) && !ownFields.contains(f)) {
                return new Rejection(code, "field '" + f + "' is not a " + apiName + " request field; the fields are "
                        + apiFields + " plus our own " + ownFields);
            }
        }
        return null;
    }

    /** The first of the fields that holds a non-blank text or number. */
    static String text(JsonNode node, String... fields) {
        for (String f : fields) {
            JsonNode v = node == null ? null : node.get(f);
            if (v != null && (v.isTextual() || v.isNumber()) && !v.asText().isBlank()) {
                return v.asText();
            }
        }
        return null;
    }

    static String join(URI base, String path) {
        String b = base.toString();
        return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path;
    }

    static final int MAX_LINK = 2048;

    /**
     * Null when the text is a link the provider takes as it is written (it is sent byte for byte): http or https
     * in lower case (the provider refuses {@code HTTP://}), a host, nothing before or after it (no white space,
     * control or invisible characters anywhere), no user name or password, at most {@value #MAX_LINK} characters.
     * Otherwise why not.
     */
    static String linkProblem(String s) {
        if (s.length() > MAX_LINK) {
            return "it is longer than " + MAX_LINK + " characters";
        }
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (Untrusted.isSeparator(cp) || cp > 0x7E) {
                return "it holds white space, control or non-ASCII characters (percent-encode them)";
            }
        }
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            return "it is not a well-formed link";
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            return "it must start with http:// or https:// (in lower case)";
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            return "it names no host";
        }
        if (u.getRawUserInfo() != null) {
            return "it holds a user name or password";
        }
        return null;
    }

    static boolean isHttpUrl(String s) {
        return linkProblem(s) == null;
    }

    /** Enough of an answer to recognise it in a dead letter, never a whole page. */
    static String excerpt(String body) {
        if (body == null) {
            return "(no body)";
        }
        String s = body.strip().replaceAll("\\s+", " ");
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
