package dev.soracamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The submit body rules of seed 000, checked field by field in the order the sandbox promises, answering
 * the first failing rule. Types are strict: the seed says integer for resolution and duration and string
 * for the rest, so {@code "720"} or {@code 720.0} is NOT_VALID and a numeric version is VERSION_NOT_VALID.
 * A client that gets away with loose types here would be at the mercy of the real service's parser.
 */
final class SubmitValidator {

    static final String VERSION_2 = "2";
    static final String VERSION_PRO = "2.pro";

    private static final Map<String, Set<Integer>> RESOLUTIONS = Map.of(
            VERSION_2, Set.of(720),
            VERSION_PRO, Set.of(720, 1080));
    private static final Set<String> DIMENSIONS = Set.of("9:16", "16:9");

    private static final ObjectMapper JSON = new ObjectMapper();

    private SubmitValidator() {
    }

    /** Steps 3 to 8 plus the form of image_url (step 9 without the fetch). */
    static SubmitRequest parse(byte[] body) throws ApiException {
        JsonNode root = readObject(body);
        String version = version(root.get("version"));
        String prompt = prompt(root.get("prompt"));
        int resolution = resolution(root.get("resolution"), version);
        String dimensions = dimensions(root.get("dimensions"));
        int duration = duration(root.get("duration"), version, resolution);
        String imageUrl = imageUrl(root.get("image_url"));
        return new SubmitRequest(version, prompt, resolution, dimensions, duration, imageUrl, root.get("customer_id"));
    }

    /**
     * Step 10. The seed has no code for a missing customer_id (it only says the field is required), nor for
     * a body that is not a JSON object; PARAMETERS_IS_NOT_ALLOWED is the closest documented code for both.
     */
    static String customerId(JsonNode node) throws ApiException {
        if (isEmpty(node) || !node.isTextual()) {
            throw new ApiException(ApiError.PARAMETERS_IS_NOT_ALLOWED);
        }
        String id = node.asText();
        String lower = id.toLowerCase(Locale.ROOT);
        if (lower.startsWith("banned")) {
            throw new ApiException(ApiError.USER_HAS_BEEN_BANNED);
        }
        if (lower.startsWith("deleted")) {
            throw new ApiException(ApiError.USER_HAS_BEEN_DELETED);
        }
        return id;
    }

    /** Seconds before which status checks are early; the seed also says generation is never faster. */
    static double firstCheckSeconds(String version) {
        return VERSION_PRO.equals(version) ? SandboxConfig.FIRST_CHECK_SECONDS_PRO : SandboxConfig.FIRST_CHECK_SECONDS_2;
    }

    private static JsonNode readObject(byte[] body) throws ApiException {
        try {
            JsonNode root = JSON.readTree(body);
            if (root != null && root.isObject()) {
                return root;
            }
        } catch (IOException e) {
            // falls through: not JSON at all
        }
        throw new ApiException(ApiError.PARAMETERS_IS_NOT_ALLOWED);
    }

    private static String version(JsonNode node) throws ApiException {
        if (isEmpty(node)) {
            throw new ApiException(ApiError.VERSION_IS_EMPTY);
        }
        if (!node.isTextual()) {
            throw new ApiException(ApiError.VERSION_NOT_VALID);
        }
        if (!RESOLUTIONS.containsKey(node.asText())) {
            throw new ApiException(ApiError.VERSION_NOT_FOUND);
        }
        return node.asText();
    }

    private static String prompt(JsonNode node) throws ApiException {
        if (isEmpty(node)) {
            throw new ApiException(ApiError.PROMPT_IS_EMPTY);
        }
        // The seed: "at least a couple of words".
        if (!node.isTextual() || PromptMarkers.wordCount(node.asText()) < 2) {
            throw new ApiException(ApiError.PROMPT_NOT_VALID);
        }
        return node.asText();
    }

    private static int resolution(JsonNode node, String version) throws ApiException {
        if (isEmpty(node)) {
            throw new ApiException(ApiError.RESOLUTION_IS_EMPTY);
        }
        if (!isInt(node)) {
            throw new ApiException(ApiError.RESOLUTION_NOT_VALID);
        }
        if (!RESOLUTIONS.get(version).contains(node.intValue())) {
            throw new ApiException(ApiError.RESOLUTION_NOT_FOUND);
        }
        return node.intValue();
    }

    private static String dimensions(JsonNode node) throws ApiException {
        if (isEmpty(node)) {
            throw new ApiException(ApiError.DIMENSIONS_IS_EMPTY);
        }
        if (!node.isTextual()) {
            throw new ApiException(ApiError.DIMENSIONS_NOT_VALID);
        }
        if (!DIMENSIONS.contains(node.asText())) {
            throw new ApiException(ApiError.DIMENSIONS_NOT_FOUND);
        }
        return node.asText();
    }

    private static int duration(JsonNode node, String version, int resolution) throws ApiException {
        if (isEmpty(node)) {
            throw new ApiException(ApiError.DURATION_IS_EMPTY);
        }
        if (!isInt(node)) {
            throw new ApiException(ApiError.DURATION_NOT_VALID);
        }
        int duration = node.intValue();
        boolean allowed = duration == 10
                // The seed: 15 s only on "2.pro", and only at 1080p.
                || (duration == 15 && VERSION_PRO.equals(version) && resolution == 1080);
        if (!allowed) {
            throw new ApiException(ApiError.DURATION_NOT_FOUND);
        }
        return duration;
    }

    /** Absent and JSON null both mean "no reference image", as an optional field usually does. */
    private static String imageUrl(JsonNode node) throws ApiException {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() && node.asText().isBlank()) {
            throw new ApiException(ApiError.IMAGE_URL_IS_EMPTY);
        }
        if (!node.isTextual() || !isHttpUrl(node.asText())) {
            throw new ApiException(ApiError.IMAGE_URL_NOT_VALID);
        }
        return node.asText();
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return uri.isAbsolute() && (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static boolean isEmpty(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode()
                || (node.isTextual() && node.asText().isBlank());
    }

    private static boolean isInt(JsonNode node) {
        return node.isIntegralNumber() && node.canConvertToInt();
    }
}
