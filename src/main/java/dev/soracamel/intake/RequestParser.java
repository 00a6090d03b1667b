package dev.soracamel.intake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.validate.Rejection;

/**
 * Turns one intake file into requests. Anything that is not a readable request becomes an item with a
 * rejection, so that every file ends somewhere a person can see it.
 */
public class RequestParser {

    private final ObjectMapper json;
    private final long maxFileBytes;

    public RequestParser(ObjectMapper json, long maxFileBytes) {
        this.json = json;
        this.maxFileBytes = maxFileBytes;
    }

    public long maxFileBytes() {
        return maxFileBytes;
    }

    /**
     * @param fileName  the file's name (its stem is the default request id)
     * @param size      its size in bytes, checked before its content is read
     * @param content   reads the content; only called for a .json file of acceptable size
     */
    public List<IntakeItem> parse(String fileName, long size, java.util.function.Supplier<byte[]> content) {
        String id = RequestIds.fromFileName(fileName);
        if (!fileName.toLowerCase(Locale.ROOT).endsWith(".json")) {
            return List.of(whole(id, fileName, "NOT_A_JSON_FILE", "only .json request files are read; \""
                    + fileName + "\" was moved here untouched"));
        }
        if (size > maxFileBytes) {
            return List.of(whole(id, fileName, "REQUEST_FILE_TOO_LARGE", "the file has " + size
                    + " bytes, more than sora.intake.max-file-bytes=" + maxFileBytes));
        }
        byte[] bytes = content.get();
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return List.of(whole(id, fileName, "EMPTY_REQUEST_FILE", "the file is empty"));
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            return List.of(whole(id, fileName, "MALFORMED_JSON", "the file is not valid JSON: "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr() + ")"));
        }
        if (root.isObject()) {
            return List.of(item(id, (ObjectNode) root, fileName, null));
        }
        if (root.isArray()) {
            if (root.isEmpty()) {
                return List.of(whole(id, fileName, "EMPTY_REQUEST_FILE", "the file holds an empty array"));
            }
            List<IntakeItem> items = new ArrayList<>(root.size());
            for (int i = 0; i < root.size(); i++) {
                JsonNode element = root.get(i);
                String elementId = id + "-" + (i + 1);
                if (element.isObject()) {
                    items.add(item(elementId, (ObjectNode) element, fileName, i + 1));
                } else {
                    items.add(new IntakeItem(elementId, null, bytes(element), fileName,
                            new Rejection("NOT_A_REQUEST", "element " + (i + 1) + " of the array is "
                                    + element.getNodeType().name().toLowerCase(Locale.ROOT) + ", not a request object")));
                }
            }
            return items;
        }
        return List.of(whole(id, fileName, "NOT_A_REQUEST", "the file holds a JSON "
                + root.getNodeType().name().toLowerCase(Locale.ROOT) + ", not a request object or an array of them"));
    }

    /**
     * One request that came as a message rather than a file (the synchronous entry, REST): a single JSON
     * object, read with the same rules as an element of a file. An array is refused here: its elements would
     * need ids and answers of their own.
     *
     * @param defaultId the request id when the request names none
     * @param bytes     the request as it came, kept as the original for a dead letter
     */
    public IntakeItem one(String defaultId, String source, byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return new IntakeItem(defaultId, null, bytes, source, new Rejection("EMPTY_REQUEST",
                    "the request is empty: send one JSON request object"));
        }
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            return new IntakeItem(defaultId, null, bytes, source, new Rejection("MALFORMED_JSON",
                    "the request is not valid JSON: " + e.getOriginalMessage() + " (line "
                            + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"));
        }
        if (!root.isObject()) {
            String what = root.getNodeType().name().toLowerCase(Locale.ROOT);
            return new IntakeItem(defaultId, null, bytes, source, new Rejection("NOT_A_REQUEST", "the request is a JSON "
                    + what + ", not a request object" + (root.isArray()
                    ? ": send one request per call (an array of them can be dropped into the inbox as a file)" : "")));
        }
        IntakeItem it = item(defaultId, (ObjectNode) root, source, null);
        return new IntakeItem(it.requestId(), it.request(), bytes, source, it.rejection());
    }

    private IntakeItem item(String defaultId, ObjectNode request, String fileName, Integer index) {
        byte[] original = index == null ? null : bytes(request);
        JsonNode own = request.get("request_id");
        if (own == null || own.isNull()) {
            return new IntakeItem(defaultId, request, original, fileName, null);
        }
        if (!own.isTextual() || !RequestIds.isSafe(own.asText())) {
            return new IntakeItem(defaultId, request, original, fileName, new Rejection("REQUEST_ID_NOT_VALID",
                    "request_id " + own + " is not allowed: use 1 to 128 letters, digits, '.', '-', '_', '@' or '+', "
                            + "starting with a letter or digit, without '..'"));
        }
        return new IntakeItem(own.asText(), request, original, fileName, null);
    }

    private static IntakeItem whole(String id, String fileName, String code, String message) {
        return new IntakeItem(id, null, null, fileName, new Rejection(code, message));
    }

    private byte[] bytes(JsonNode node) {
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            return node.toString().getBytes(StandardCharsets.UTF_8);
        }
    }
}
