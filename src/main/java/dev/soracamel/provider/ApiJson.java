package dev.soracamel.provider;

import java.net.URI;
import java.util.Collection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

    static boolean missing(JsonNode n) {
        return n == null || n.isNull() || (n.isTextual() && n.asText().isBlank());
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

    static boolean isHttpUrl(String s) {
        try {
            URI u = URI.create(s.strip());
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme()))
                    && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
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
