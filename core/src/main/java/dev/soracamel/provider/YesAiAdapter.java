package dev.soracamel.provider;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.provider.StatusResult.Kind;
import dev.soracamel.spend.Billable;
import dev.soracamel.text.Untrusted;
import dev.soracamel.validate.Rejection;
import dev.soracamel.validate.YesAiCatalog;

import static dev.soracamel.provider.SubmitResult.Kind.CUSTOMER_BANNED;
import static dev.soracamel.provider.SubmitResult.Kind.PAUSE;
import static dev.soracamel.provider.SubmitResult.Kind.REJECTED;
import static dev.soracamel.provider.SubmitResult.Kind.RETRY;

/** Yes Ai's Sora 2 API (seed 000): {@code POST /v2/yesvideo/aniimage/sora}, {@code GET /v2/yesvideo/animations/{id}}. */
public class YesAiAdapter implements ProviderAdapter {

    static final String SUBMIT_PATH = "/v2/yesvideo/aniimage/sora";
    static final String STATUS_PATH = "/v2/yesvideo/animations/";

    /** The request fields the API takes; our own fields are {@link #OWN_FIELDS}. */
    static final List<String> API_FIELDS =
            List.of("version", "prompt", "resolution", "dimensions", "duration", "image_url", "customer_id");
    static final Set<String> OWN_FIELDS = Set.of("request_id", "provider");

    /**
     * The policy for every submit error code of the seed. Codes not listed fall back on their HTTP status
     * (see {@link #interpretSubmit}). The README's error table is this map.
     */
    public static final Map<String, SubmitResult.Kind> SUBMIT_POLICY = Map.ofEntries(
            Map.entry("TOO_MANY_REQUESTS", RETRY),
            Map.entry("INTERNAL_SERVER_ERROR", RETRY),
            Map.entry("TASK_LIMIT_EXCEEDED", RETRY),
            Map.entry("UNAUTHORIZED", PAUSE),
            Map.entry("NOT_ENOUGH_RPOINTS", PAUSE),
            Map.entry("USER_HAS_BEEN_BANNED", CUSTOMER_BANNED),
            Map.entry("USER_HAS_BEEN_DELETED", CUSTOMER_BANNED),
            Map.entry("PROMPT_NSFW_WORDS", REJECTED),
            Map.entry("PROMPT_EN_NSFW_WORDS", REJECTED),
            Map.entry("PROMPT_FAILED_TO_TRANSLATE", REJECTED),
            Map.entry("PARAMETERS_IS_NOT_ALLOWED", REJECTED));

    private final ProviderSettings settings;
    private final YesAiCatalog catalog;
    private final ObjectMapper json;

    public YesAiAdapter(ProviderSettings settings, YesAiCatalog catalog, ObjectMapper json) {
        this.settings = settings;
        this.catalog = catalog;
        this.json = json;
    }

    @Override
    public Rejection validate(ObjectNode r) {
        Rejection unknown = ApiJson.unknownField(r, API_FIELDS, OWN_FIELDS, "PARAMETERS_IS_NOT_ALLOWED", "Yes Ai");
        if (unknown != null) {
            return unknown;
        }
        JsonNode version = r.get("version");
        if (ApiJson.missing(version)) {
            return new Rejection("VERSION_IS_EMPTY", "version is missing; use one of " + catalog.models.keySet());
        }
        if (!version.isTextual()) {
            return new Rejection("VERSION_NOT_VALID", "version must be a string such as \"2\" or \"2.pro\", not "
                    + version);
        }
        YesAiCatalog.Model model = catalog.model(version.asText());
        if (model == null) {
            return new Rejection("VERSION_NOT_FOUND", "version \"" + Untrusted.esc(version.asText())
                    + "\" is not offered; use one of " + catalog.models.keySet());
        }
        JsonNode prompt = r.get("prompt");
        if (ApiJson.missing(prompt)) {
            return new Rejection("PROMPT_IS_EMPTY", "prompt is missing or blank");
        }
        if (!prompt.isTextual()) {
            return new Rejection("PROMPT_NOT_VALID", "prompt must be a string");
        }
        if (ApiJson.hasControl(prompt.asText())) {
            return new Rejection("PROMPT_NOT_VALID", "prompt holds control characters");
        }
        // words are split at white space of every kind (no-break and ideographic spaces too), and invisible
        // characters are no word: the provider asks for "at least a couple of words"
        if (Untrusted.words(prompt.asText()) < 2) {
            return new Rejection("PROMPT_NOT_VALID", "prompt must have at least two words, got \""
                    + Untrusted.esc(prompt.asText().strip()) + "\"");
        }
        JsonNode resolution = r.get("resolution");
        if (ApiJson.missing(resolution)) {
            return new Rejection("RESOLUTION_IS_EMPTY", "resolution is missing; version " + version.asText()
                    + " allows " + model.resolutions.keySet());
        }
        if (!ApiJson.isExactInt(resolution)) {
            return new Rejection("RESOLUTION_NOT_VALID", "resolution must be a whole number such as 720, not "
                    + cut(resolution));
        }
        List<Integer> durations = model.resolutions.get(resolution.asInt());
        if (durations == null) {
            return new Rejection("RESOLUTION_NOT_FOUND", "resolution " + resolution.asInt()
                    + " is not available for version " + version.asText() + "; use one of " + model.resolutions.keySet());
        }
        JsonNode dimensions = r.get("dimensions");
        if (ApiJson.missing(dimensions)) {
            return new Rejection("DIMENSIONS_IS_EMPTY", "dimensions is missing; use one of " + model.dimensions);
        }
        if (!dimensions.isTextual()) {
            return new Rejection("DIMENSIONS_NOT_VALID", "dimensions must be a string such as \"16:9\", not "
                    + cut(dimensions));
        }
        if (!model.dimensions.contains(dimensions.asText())) {
            return new Rejection("DIMENSIONS_NOT_FOUND", "dimensions " + cut(dimensions) + " is not available; use one of "
                    + model.dimensions);
        }
        JsonNode duration = r.get("duration");
        if (ApiJson.missing(duration)) {
            return new Rejection("DURATION_IS_EMPTY", "duration is missing; version " + version.asText() + " at "
                    + resolution.asInt() + "p allows " + durations + " seconds");
        }
        if (!ApiJson.isExactInt(duration)) {
            return new Rejection("DURATION_NOT_VALID", "duration must be a whole number of seconds such as 10, not "
                    + cut(duration));
        }
        if (!durations.contains(duration.asInt())) {
            return new Rejection("DURATION_NOT_FOUND", "duration " + duration.asInt() + " s is not available for version "
                    + version.asText() + " at " + resolution.asInt() + "p; use one of " + durations + allDurations(model));
        }
        JsonNode image = r.get("image_url");
        if (image != null && !image.isNull()) {
            if (image.isTextual() && Untrusted.isBlank(image.asText())) {
                return new Rejection("IMAGE_URL_IS_EMPTY", "image_url is present but empty; remove it or give a link");
            }
            String problem = image.isTextual() ? ApiJson.linkProblem(image.asText()) : "it is not a string";
            if (problem != null) {
                return new Rejection("IMAGE_URL_NOT_VALID", "image_url must be a direct http(s) link to a jpeg or png, "
                        + "written as the provider reads it; " + cut(image) + " is not: " + problem);
            }
        }
        JsonNode customer = r.get("customer_id");
        if (ApiJson.missing(customer)) {
            return new Rejection("CUSTOMER_ID_IS_EMPTY", "customer_id is missing: Yes Ai requires the end customer's id "
                    + "(Telegram id or your own) so that a rule breaker is banned alone, not your whole token");
        }
        if (!customer.isTextual()) {
            return new Rejection("CUSTOMER_ID_NOT_VALID", "customer_id must be a string, not " + cut(customer));
        }
        return null;
    }

    /** A value as the request wrote it, escaped and short enough for a sentence. */
    static String cut(JsonNode n) {
        String s = Untrusted.esc(n.toString());
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }

    private static String allDurations(YesAiCatalog.Model model) {
        StringBuilder sb = new StringBuilder();
        model.resolutions.forEach((res, d) -> sb.append(sb.isEmpty() ? " (" : ", ").append(res).append("p: ").append(d));
        return sb.append(")").toString();
    }

    @Override
    public String model(ObjectNode request) {
        return request.path("version").asText(null);
    }

    @Override
    public String customerId(ObjectNode request) {
        JsonNode c = request.get("customer_id");
        return c == null || c.isNull() ? null : c.asText();
    }

    @Override
    public Billable billable(ObjectNode request) {
        return new Billable(model(request), String.valueOf(request.path("resolution").asInt()),
                request.path("duration").asInt());
    }

    @Override
    public List<Billable> billables() {
        List<Billable> all = new java.util.ArrayList<>();
        catalog.models.forEach((version, m) -> m.resolutions.forEach((res, durations) ->
                durations.forEach(d -> all.add(new Billable(version, String.valueOf(res), d)))));
        return all;
    }

    @Override
    public String imageUrl(ObjectNode request) {
        JsonNode i = request.get("image_url");
        return i == null || i.isNull() ? null : i.asText();
    }

    @Override
    public Duration firstCheckDelay(Job job) {
        return catalog.model(job.model).firstCheck();
    }

    @Override
    public HttpCall submit(Job job) {
        ObjectNode body = json.createObjectNode();
        for (String f : API_FIELDS) {
            if (job.request.hasNonNull(f)) {
                body.set(f, job.request.get(f));
            }
        }
        return new HttpCall("POST", ApiJson.join(settings.baseUrl(), SUBMIT_PATH), body.toString());
    }

    @Override
    public SubmitResult interpretSubmit(HttpAnswer http) {
        int httpStatus = http.status();
        String body = http.body();
        JsonNode answer = ApiJson.parseObject(json, body);
        if (httpStatus == 200) {
            JsonNode id = answer == null ? null : answer.path("results").path("animation_data").get("id");
            if (answer != null && answer.path("success").asBoolean(false) && id != null && !id.isNull()
                    && !id.asText().isBlank()) {
                return SubmitResult.created(id.asText());
            }
            // A 200 may well have created a paid task we cannot name: never submit it again blindly.
            return SubmitResult.of(SubmitResult.Kind.OUTCOME_UNKNOWN, "UNEXPECTED_RESPONSE",
                    "the submit answered 200 without a task id: " + ApiJson.excerpt(body), httpStatus);
        }
        String code = answer == null ? null : answer.path("message").asText(null);
        SubmitResult.Kind kind = code == null ? null : SUBMIT_POLICY.get(code);
        if (kind == null) {
            kind = byHttpStatus(httpStatus);
        }
        if (code == null) {
            code = "HTTP_" + httpStatus;
        }
        return SubmitResult.of(kind, code, describe(code, httpStatus, body), httpStatus);
    }

    /**
     * Codes the seed does not list. A 4xx created nothing, so it is final for the request; 429 and the
     * plain 5xx that mean "not processed" are retried; a gateway 502/504 may hide a created task.
     */
    private static SubmitResult.Kind byHttpStatus(int httpStatus) {
        if (httpStatus == 401 || httpStatus == 403) {
            return PAUSE;
        }
        if (httpStatus == 429 || httpStatus == 500 || httpStatus == 503) {
            return RETRY;
        }
        if (httpStatus >= 400 && httpStatus < 500) {
            return REJECTED;
        }
        return SubmitResult.Kind.OUTCOME_UNKNOWN;
    }

    @Override
    public HttpCall status(Job job) {
        return new HttpCall("GET", ApiJson.join(settings.baseUrl(), STATUS_PATH + job.taskId), null);
    }

    @Override
    public StatusResult interpretStatus(HttpAnswer http) {
        int httpStatus = http.status();
        String body = http.body();
        JsonNode answer = ApiJson.parseObject(json, body);
        if (httpStatus == 200 && answer != null && answer.path("success").asBoolean(false)) {
            JsonNode data = answer.path("results").path("animation_data");
            JsonNode status = data.get("status");
            if (status == null || !status.canConvertToInt()) {
                return StatusResult.error(Kind.LOST, "UNEXPECTED_RESPONSE",
                        "the status answer has no status: " + ApiJson.excerpt(body), httpStatus);
            }
            String description = data.path("status_description").asText("status " + status.asInt());
            switch (status.asInt()) {
                case 0, 1:
                    return StatusResult.of(Kind.WAITING, description, httpStatus);
                case 2:
                    String url = ApiJson.text(data, "result_url", "video_url", "url");
                    if (url == null) {
                        return StatusResult.error(Kind.LOST, "UNEXPECTED_RESPONSE",
                                "the task is completed but the answer has no result_url: " + ApiJson.excerpt(body), httpStatus);
                    }
                    return new StatusResult(Kind.COMPLETED, description, url, null, null, null, null, httpStatus);
                case 3:
                    return new StatusResult(Kind.FAILED, description, null, "TASK_REJECTED",
                            "the provider rejected the task: " + data.path("comment_en").asText(description),
                            data.path("comment_ru").asText(null), data.path("comment_en").asText(null), httpStatus);
                case 4:
                    return StatusResult.of(Kind.TIMED_OUT, description, httpStatus);
                default:
                    return StatusResult.error(Kind.LOST, "UNEXPECTED_RESPONSE",
                            "unknown task status " + status.asInt() + ": " + ApiJson.excerpt(body), httpStatus);
            }
        }
        String code = answer == null ? "HTTP_" + httpStatus : answer.path("message").asText("HTTP_" + httpStatus);
        String message = describe(code, httpStatus, body);
        if (httpStatus == 401 || httpStatus == 403) {
            return StatusResult.error(Kind.PAUSE, code, message, httpStatus);
        }
        if (httpStatus == 429 || httpStatus >= 500) {
            return StatusResult.error(Kind.RETRY, code, message, httpStatus);
        }
        return StatusResult.error(Kind.LOST, code, message, httpStatus);
    }

    static String describe(String code, int httpStatus, String body) {
        return switch (code) {
            case "UNAUTHORIZED" -> "the provider refused the API token (HTTP 401); check the token property";
            case "NOT_ENOUGH_RPOINTS" -> "the account has no credit left (rpoints); top it up";
            case "TASK_LIMIT_EXCEEDED" -> "the provider counts more active tasks than the tariff allows";
            case "TOO_MANY_REQUESTS" -> "the provider asked us to slow down (HTTP 429)";
            case "USER_HAS_BEEN_BANNED" -> "the provider has banned this customer_id for breaking its content rules";
            case "USER_HAS_BEEN_DELETED" -> "the provider has deleted this customer_id";
            case "PROMPT_NSFW_WORDS", "PROMPT_EN_NSFW_WORDS" ->
                    "the provider's moderation found words it does not allow (18+ content) in the prompt";
            case "PROMPT_FAILED_TO_TRANSLATE" -> "the provider could not translate the prompt; rephrase it";
            case "PARAMETERS_IS_NOT_ALLOWED" -> "the provider does not allow this combination of parameters";
            case "ID_NOT_FOUND" -> "the provider does not know this task id";
            default -> "the provider answered HTTP " + httpStatus + " " + code
                    + (body == null || body.isBlank() ? "" : ": " + ApiJson.excerpt(body));
        };
    }

}
