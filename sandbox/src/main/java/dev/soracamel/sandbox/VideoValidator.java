package dev.soracamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of OpenAI's CreateVideoJsonBody, checked strictly, first failure wins: unknown fields, then
 * prompt, model, size, seconds, input_reference. Types are the spec's: {@code seconds} is a string enum, so
 * the integer 4 is refused as OpenAI refuses it. A client that got away with loose types here would be at
 * the mercy of whichever gateway is lenient and whichever is not.
 *
 * <p>Optional fields given as JSON null count as absent, as OpenAI's API treats them.
 */
final class VideoValidator {

    static final int MAX_PROMPT = 32_000;
    static final int MAX_IMAGE_URL = 20_971_520;
    static final List<String> SECONDS = List.of("4", "8", "12");
    static final String DEFAULT_SECONDS = "4";

    private static final Set<String> FIELDS = Set.of("model", "prompt", "input_reference", "seconds", "size");
    private static final Set<String> REFERENCE_FIELDS = Set.of("image_url", "file_id");
    private static final Pattern DATA_URL = Pattern.compile("data:image/[a-z0-9.+-]+;base64,[A-Za-z0-9+/=\\s]+",
            Pattern.CASE_INSENSITIVE);
    private static final ObjectMapper JSON = new ObjectMapper();

    private VideoValidator() {
    }

    static VideoRequest parse(byte[] body) throws OpenAiException {
        JsonNode root = readObject(body);
        unknownFields(root, FIELDS, "");
        String prompt = prompt(root.get("prompt"));
        VideoModel model = model(root.get("model"));
        String size = size(root.get("size"), model);
        String seconds = seconds(root.get("seconds"));
        JsonNode ref = root.get("input_reference");
        if (absent(ref)) {
            return new VideoRequest(model, prompt, size, seconds, null, null);
        }
        if (!ref.isObject()) {
            throw invalidType("input_reference", "an object", ref);
        }
        unknownFields(ref, REFERENCE_FIELDS, "input_reference.");
        JsonNode imageUrl = ref.get("image_url");
        JsonNode fileId = ref.get("file_id");
        if (absent(imageUrl) == absent(fileId)) {
            throw new OpenAiException(OpenAiError.invalid("input_reference", "invalid_value",
                    "Invalid 'input_reference': provide exactly one of 'image_url' or 'file_id'."));
        }
        if (!absent(imageUrl)) {
            return new VideoRequest(model, prompt, size, seconds, imageUrl(imageUrl), null);
        }
        return new VideoRequest(model, prompt, size, seconds, null, fileId(fileId));
    }

    /** The same text OpenAI answers for a body that is not JSON; an array or a string is no request either. */
    private static JsonNode readObject(byte[] body) throws OpenAiException {
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.isObject()) {
                return root;
            }
            if (root != null && !root.isMissingNode()) {
                throw invalidType("body", "an object", root);
            }
        } catch (IOException e) {
            // falls through: not JSON at all
        }
        throw new OpenAiException(OpenAiError.invalid(null, null, "We could not parse the JSON body of your request. "
                + "(HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a "
                + "JSON payload, but what was sent was not valid JSON.)"));
    }

    private static void unknownFields(JsonNode object, Set<String> known, String prefix) throws OpenAiException {
        for (var it = object.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) {
                throw new OpenAiException(OpenAiError.invalid(prefix + f, "unknown_parameter",
                        "Unknown parameter: '" + prefix + f + "'."));
            }
        }
    }

    private static String prompt(JsonNode node) throws OpenAiException {
        if (node == null) {
            throw new OpenAiException(OpenAiError.invalid("prompt", "missing_required_parameter",
                    "Missing required parameter: 'prompt'."));
        }
        if (!node.isTextual()) {
            throw invalidType("prompt", "a string", node);
        }
        String prompt = node.asText();
        int length = prompt.codePointCount(0, prompt.length());
        if (length < 1) {
            throw new OpenAiException(OpenAiError.invalid("prompt", "string_below_min_length",
                    "Invalid 'prompt': string too short. Expected a string with minimum length 1, but got an empty "
                            + "string instead."));
        }
        if (length > MAX_PROMPT) {
            throw new OpenAiException(OpenAiError.invalid("prompt", "string_above_max_length",
                    "Invalid 'prompt': string too long. Expected a string with maximum length " + MAX_PROMPT
                            + ", but got a string with length " + length + " instead."));
        }
        return prompt;
    }

    private static VideoModel model(JsonNode node) throws OpenAiException {
        if (absent(node)) {
            return VideoModel.DEFAULT;
        }
        if (!node.isTextual()) {
            throw invalidType("model", "a string", node);
        }
        VideoModel model = VideoModel.find(node.asText());
        if (model == null) {
            List<String> ids = Arrays.stream(VideoModel.values()).map(m -> m.id).toList();
            throw invalidValue("model", node.asText(), ids);
        }
        return model;
    }

    /** The spec's default 720x1280 would be wrong for a landscape-only alias; an alias defaults to its size. */
    private static String size(JsonNode node, VideoModel model) throws OpenAiException {
        if (absent(node)) {
            return model.defaultSize();
        }
        if (!node.isTextual()) {
            throw invalidType("size", "a string", node);
        }
        String size = node.asText();
        if (!VideoModel.Sizes.ALL.contains(size)) {
            throw invalidValue("size", size, VideoModel.Sizes.ALL);
        }
        if (!model.sizes.contains(size)) {
            throw new OpenAiException(OpenAiError.invalid("size", "invalid_value", "Invalid value: '" + size
                    + "'. Model '" + model.id + "' supports the sizes " + quoted(model.sizes) + "."));
        }
        return size;
    }

    private static String seconds(JsonNode node) throws OpenAiException {
        if (absent(node)) {
            return DEFAULT_SECONDS;
        }
        if (!node.isTextual()) {
            throw new OpenAiException(OpenAiError.invalid("seconds", "invalid_type", "Invalid type for 'seconds': "
                    + "expected one of " + quoted(SECONDS) + ", but got " + typeName(node) + " instead."));
        }
        if (!SECONDS.contains(node.asText())) {
            throw invalidValue("seconds", node.asText(), SECONDS);
        }
        return node.asText();
    }

    /** Not fetched: the spec allows any fully qualified URL or a base64 data URL, and the sandbox stays local. */
    private static String imageUrl(JsonNode node) throws OpenAiException {
        String param = "input_reference.image_url";
        if (!node.isTextual()) {
            throw invalidType(param, "a string", node);
        }
        String url = node.asText();
        if (url.length() > MAX_IMAGE_URL) {
            throw new OpenAiException(OpenAiError.invalid(param, "string_above_max_length", "Invalid '" + param
                    + "': string too long. Expected a string with maximum length " + MAX_IMAGE_URL + "."));
        }
        if (!isHttpUrl(url) && !DATA_URL.matcher(url).matches()) {
            throw new OpenAiException(OpenAiError.invalid(param, "invalid_value", "Invalid '" + param
                    + "': expected a fully qualified http(s) URL or a base64-encoded data URL of an image."));
        }
        return url;
    }

    /** The sandbox has no files API, so any non-blank id is taken to name an uploaded image. */
    private static String fileId(JsonNode node) throws OpenAiException {
        String param = "input_reference.file_id";
        if (!node.isTextual()) {
            throw invalidType(param, "a string", node);
        }
        if (node.asText().isBlank()) {
            throw new OpenAiException(OpenAiError.invalid(param, "invalid_value",
                    "Invalid '" + param + "': expected the id of an uploaded file."));
        }
        return node.asText();
    }

    static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return uri.isAbsolute() && (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull();
    }

    private static OpenAiException invalidType(String param, String expected, JsonNode got) {
        return new OpenAiException(OpenAiError.invalid(param, "invalid_type", "Invalid type for '" + param
                + "': expected " + expected + ", but got " + typeName(got) + " instead."));
    }

    private static OpenAiException invalidValue(String param, String got, List<String> allowed) {
        return new OpenAiException(OpenAiError.invalid(param, "invalid_value", "Invalid value: '" + got
                + "'. Supported values are: " + quoted(allowed) + "."));
    }

    /** 'a', 'b', and 'c', as OpenAI lists allowed values. */
    private static String quoted(List<String> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(values.size() > 2 ? ", " : " ");
            }
            if (i > 0 && i == values.size() - 1) {
                sb.append("and ");
            }
            sb.append('\'').append(values.get(i)).append('\'');
        }
        return sb.toString();
    }

    private static String typeName(JsonNode node) {
        if (node.isNull()) {
            return "null";
        }
        if (node.isIntegralNumber()) {
            return "an integer";
        }
        if (node.isNumber()) {
            return "a decimal";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isArray()) {
            return "an array";
        }
        if (node.isObject()) {
            return "an object";
        }
        return "a string";
    }
}
