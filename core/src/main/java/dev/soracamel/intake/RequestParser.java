package dev.soracamel.intake;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.text.Untrusted;
import dev.soracamel.validate.Rejection;

/**
 * Turns one intake file into requests. Anything that is not a readable request becomes an item with a
 * rejection, so that every file ends somewhere a person can see it.
 *
 * <p>The JSON is read strictly, because what is checked must be exactly what is sent: one JSON value per file
 * or message (a second one, {@code {..}\n{..}}, would otherwise be dropped unseen), no field given twice (which
 * copy would the provider take?), UTF-8 only, and bounded nesting and number length (a request is flat and
 * small; a parser limit hit is a MALFORMED_JSON with a reason, never a crash).
 */
public class RequestParser {

    /** A request is flat; a few levels for an input_reference object, and room for a caller's own extras. */
    static final int MAX_DEPTH = 32;
    /** Digits in one number: any longer is no duration, resolution or id a provider takes. */
    static final int MAX_NUMBER_LENGTH = 64;

    private final ObjectMapper json;
    private final ObjectMapper reader;
    private final long maxFileBytes;

    public RequestParser(ObjectMapper json, long maxFileBytes) {
        this.json = json;
        this.maxFileBytes = maxFileBytes;
        this.reader = json.copy();
        reader.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, Math.max(1000, maxFileBytes)))
                .build());
        reader.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        reader.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
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
        return parse(fileName, fileName, size, content);
    }

    /**
     * @param name     the file's name, or the S3 key below the intake prefix: the default request id comes from it
     * @param source   what the job's record keeps as its source
     */
    public List<IntakeItem> parse(String name, String source, long size, java.util.function.Supplier<byte[]> content) {
        String fileName = source;
        String id = RequestIds.fromFileName(name);
        if (!fileName.toLowerCase(Locale.ROOT).endsWith(".json")) {
            return List.of(whole(id, fileName, "NOT_A_JSON_FILE", "only .json request files are read; \""
                    + Untrusted.esc(fileName) + "\" was moved on untouched"));
        }
        if (size > maxFileBytes) {
            return List.of(whole(id, fileName, "REQUEST_FILE_TOO_LARGE", "the file has " + size
                    + " bytes, more than sora.intake.max-file-bytes=" + maxFileBytes));
        }
        byte[] bytes = content.get();
        if (bytes.length > maxFileBytes) {
            return List.of(whole(id, fileName, "REQUEST_FILE_TOO_LARGE", "the file has more than " + maxFileBytes
                    + " bytes (sora.intake.max-file-bytes)"));
        }
        if (isBlank(bytes)) {
            return List.of(whole(id, fileName, "EMPTY_REQUEST_FILE", "the file is empty"));
        }
        JsonNode root;
        try {
            root = readTree(bytes);
        } catch (Malformed e) {
            return List.of(whole(id, fileName, "MALFORMED_JSON", "the file is not valid JSON: " + e.getMessage()));
        }
        if (root.isObject()) {
            return List.of(derived(item(id, (ObjectNode) root, fileName, null)));
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
                    items.add(derived(item(elementId, (ObjectNode) element, fileName, i + 1)));
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
        if (isBlank(bytes)) {
            return new IntakeItem(defaultId, null, bytes, source, new Rejection("EMPTY_REQUEST",
                    "the request is empty: send one JSON request object"));
        }
        JsonNode root;
        try {
            root = readTree(bytes);
        } catch (Malformed e) {
            return new IntakeItem(defaultId, null, bytes, source, new Rejection("MALFORMED_JSON",
                    "the request is not valid JSON: " + e.getMessage()));
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

    /** Why a body is not one JSON value, in a sentence a person can act on (never a stack or class name). */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    JsonNode readTree(byte[] bytes) throws Malformed {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            throw new Malformed("it is not UTF-8 text");
        }
        try {
            JsonNode root = reader.readTree(bytes);
            if (root == null || root.isMissingNode()) {
                throw new Malformed("it holds no JSON value");
            }
            return root;
        } catch (StreamConstraintsException e) {
            throw new Malformed(constraint(e) + at(e.getLocation()));
        } catch (MismatchedInputException e) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.startsWith("Trailing token")) {
                throw new Malformed("it holds more than one JSON value" + at(e.getLocation())
                        + "; put several requests in one array [{...}, {...}], or one per file");
            }
            throw new Malformed(firstLine(m) + at(e.getLocation()));
        } catch (JacksonException e) {
            String m = String.valueOf(e.getOriginalMessage());
            if (m.contains("separating root-level values")) {
                throw new Malformed("it holds more than one JSON value" + at(e.getLocation())
                        + "; put several requests in one array [{...}, {...}], or one per file");
            }
            if (m.startsWith("Duplicate field")) {
                throw new Malformed("a field is given twice (" + firstLine(m).replace("Duplicate field ", "")
                        + ")" + at(e.getLocation()) + ": which one would the provider take?");
            }
            throw new Malformed(firstLine(m) + at(e.getLocation()));
        } catch (IOException | RuntimeException e) {
            // whatever else the parser may throw on hostile input is still bad input, not a crash
            throw new Malformed("it could not be read as JSON");
        }
    }

    private static String constraint(StreamConstraintsException e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("nesting depth")) {
            return "it is nested deeper than " + MAX_DEPTH + " levels";
        }
        if (m.contains("Number value length") || m.contains("number")) {
            return "it has a number longer than " + MAX_NUMBER_LENGTH + " characters";
        }
        if (m.contains("String value length")) {
            return "it has a string longer than allowed";
        }
        return "it is larger than the parser allows";
    }

    private static String at(JsonLocation where) {
        if (where == null || where.getLineNr() < 1) {
            return "";
        }
        return " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")";
    }

    /** The parser's own sentence, without the excerpt lines it adds, escaped and cut. */
    private static String firstLine(String m) {
        int nl = m.indexOf('\n');
        String line = nl >= 0 ? m.substring(0, nl) : m;
        line = Untrusted.esc(line);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private IntakeItem item(String defaultId, ObjectNode request, String fileName, Integer index) {
        byte[] original = index == null ? null : bytes(request);
        JsonNode own = request.get("request_id");
        if (own == null || own.isNull()) {
            return new IntakeItem(defaultId, request, original, fileName, null);
        }
        if (!own.isTextual() || !RequestIds.isSafe(own.asText())) {
            return new IntakeItem(defaultId, request, original, fileName, new Rejection("REQUEST_ID_NOT_VALID",
                    "request_id " + Untrusted.esc(own) + " is not allowed: use 1 to 128 letters, digits, '.', '-', '_', '@' or '+', "
                            + "starting with a letter or digit, without '..'"));
        }
        return new IntakeItem(own.asText(), request, original, fileName, null);
    }

    /** Marks an item whose id came from the file's name (not its own request_id). */
    private static IntakeItem derived(IntakeItem it) {
        JsonNode own = it.request() == null ? null : it.request().get("request_id");
        boolean derived = own == null || own.isNull() || it.rejection() != null;
        return new IntakeItem(it.requestId(), it.request(), it.original(), it.source(), it.rejection(), it.origin(),
                derived);
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
