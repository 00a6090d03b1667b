package dev.soracamel.provider;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.provider.StatusResult.Kind;
import dev.soracamel.spend.Billable;
import dev.soracamel.validate.OpenAiCatalog;
import dev.soracamel.validate.Rejection;

import static dev.soracamel.provider.SubmitResult.Kind.OUTCOME_UNKNOWN;
import static dev.soracamel.provider.SubmitResult.Kind.PAUSE;
import static dev.soracamel.provider.SubmitResult.Kind.REJECTED;
import static dev.soracamel.provider.SubmitResult.Kind.RETRY;

/**
 * An OpenAI-compatible {@code /v1/videos} API (seed 001, OpenAI's own spec): {@code POST /v1/videos},
 * {@code GET /v1/videos/{id}}, and the MP4 from {@code GET /v1/videos/{id}/content} or from a result link
 * when a gateway gives one. Gateways differ in details, so answers are read tolerantly, and what cannot
 * be understood is said plainly.
 */
public class OpenAiAdapter implements ProviderAdapter {

    static final String VIDEOS = "/v1/videos";

    static final List<String> FIELDS = List.of("model", "prompt", "size", "seconds", "input_reference", "image_url",
            "customer_id");
    static final Set<String> OWN_FIELDS = Set.of("request_id", "provider");

    static final Set<String> WAITING = Set.of("queued", "pending", "submitted", "in_progress", "processing");
    static final Set<String> DONE = Set.of("completed", "succeeded");
    static final Set<String> FAILED = Set.of("failed", "cancelled", "canceled", "expired");

    private final ProviderSettings settings;
    private final OpenAiCatalog catalog;
    private final ObjectMapper json;

    public OpenAiAdapter(ProviderSettings settings, OpenAiCatalog catalog, ObjectMapper json) {
        this.settings = settings;
        this.catalog = catalog;
        this.json = json;
    }

    @Override
    public Rejection validate(ObjectNode r) {
        Rejection unknown = ApiJson.unknownField(r, FIELDS, OWN_FIELDS, "UNKNOWN_FIELD", "/v1/videos");
        if (unknown != null) {
            return unknown;
        }
        JsonNode model = r.get("model");
        if (ApiJson.missing(model)) {
            return new Rejection("MODEL_IS_EMPTY", "model is missing; use one of " + catalog.models.keySet());
        }
        OpenAiCatalog.Model m = model.isTextual() ? catalog.model(model.asText()) : null;
        if (m == null) {
            return new Rejection("MODEL_NOT_VALID", "model " + YesAiAdapter.cut(model) + " is not in the catalog of provider "
                    + settings.name() + "; use one of " + catalog.models.keySet()
                    + " (add a model in " + settings.catalog() + ")");
        }
        JsonNode prompt = r.get("prompt");
        if (ApiJson.missing(prompt)) {
            return new Rejection("PROMPT_IS_EMPTY", "prompt is missing or blank");
        }
        String text = prompt.isTextual() ? prompt.asText() : null;
        if (text == null || text.codePointCount(0, text.length()) > 32000 || ApiJson.hasControl(text)) {
            return new Rejection("PROMPT_NOT_VALID", "prompt must be a string of at most 32000 characters, without "
                    + "control characters");
        }
        JsonNode size = r.get("size");
        if (ApiJson.missing(size)) {
            return new Rejection("SIZE_IS_EMPTY", "size is missing; model " + model.asText() + " allows " + m.sizes);
        }
        if (!size.isTextual() || !size.asText().matches("[0-9]{1,5}x[0-9]{1,5}")) {
            return new Rejection("SIZE_NOT_VALID", "size must be a string such as \"1280x720\", not "
                    + YesAiAdapter.cut(size) + "; model " + model.asText() + " allows " + m.sizes);
        }
        if (!m.sizes.contains(size.asText())) {
            return new Rejection("SIZE_NOT_FOUND", "size " + size.asText() + " is not available for model "
                    + model.asText() + "; use one of " + m.sizes);
        }
        JsonNode seconds = r.get("seconds");
        if (seconds != null && !seconds.isNull()) {
            // checked as written: 4294967300 must not pass as 4 (it would wrap), "4 " not as "4"
            String s = ApiJson.isExactInt(seconds) ? String.valueOf(seconds.asInt())
                    : seconds.isTextual() && seconds.asText().matches("[0-9]{1,6}") ? seconds.asText() : null;
            if (s == null) {
                return new Rejection("SECONDS_NOT_VALID", "seconds must be a whole number of seconds such as \"4\", "
                        + "not " + YesAiAdapter.cut(seconds) + "; model " + model.asText() + " allows " + m.seconds);
            }
            if (!m.seconds.contains(s)) {
                return new Rejection("SECONDS_NOT_FOUND", "seconds " + s + " is not available for model "
                        + model.asText() + "; use one of " + m.seconds);
            }
        }
        if (r.has("input_reference") && r.has("image_url")) {
            return new Rejection("IMAGE_URL_NOT_VALID", "give the reference image once: input_reference or image_url");
        }
        String image = imageUrl(r);
        JsonNode ref = r.has("input_reference") ? r.get("input_reference") : r.get("image_url");
        if (ref != null && !ref.isNull() && (image == null || !ApiJson.isHttpUrl(image))) {
            return new Rejection("IMAGE_URL_NOT_VALID", "the reference image must be an http(s) link (lower-case scheme, "
                    + "no spaces), given as input_reference {\"image_url\": ...}, input_reference \"...\" or image_url "
                    + "\"...\"; got " + YesAiAdapter.cut(ref) + (image == null ? "" : ": " + ApiJson.linkProblem(image)));
        }
        JsonNode customer = r.get("customer_id");
        if (customer != null && !customer.isNull() && !customer.isTextual()) {
            return new Rejection("CUSTOMER_ID_NOT_VALID", "customer_id must be a string, not " + YesAiAdapter.cut(customer));
        }
        return null;
    }

    @Override
    public String model(ObjectNode request) {
        return request.path("model").asText(null);
    }

    @Override
    public String customerId(ObjectNode request) {
        JsonNode c = request.get("customer_id");
        return c == null || c.isNull() ? null : c.asText();
    }

    @Override
    public Billable billable(ObjectNode request) {
        return new Billable(model(request), request.path("size").asText(), Integer.parseInt(seconds(request)));
    }

    @Override
    public List<Billable> billables() {
        List<Billable> all = new java.util.ArrayList<>();
        catalog.models.forEach((name, m) -> m.sizes.forEach(size ->
                m.seconds.forEach(sec -> all.add(new Billable(name, size, Integer.parseInt(sec))))));
        return all;
    }

    /** The seconds as sent: the request's (a string or a number), else the catalog's default. */
    private String seconds(ObjectNode r) {
        JsonNode seconds = r.get("seconds");
        return seconds == null || seconds.isNull() ? catalog.model(model(r)).defaultSeconds
                : seconds.isIntegralNumber() ? String.valueOf(seconds.asInt()) : seconds.asText();
    }

    @Override
    public String imageUrl(ObjectNode request) {
        JsonNode ref = request.get("input_reference");
        if (ref == null || ref.isNull()) {
            ref = request.get("image_url");
        }
        if (ref == null || ref.isNull()) {
            return null;
        }
        if (ref.isTextual()) {
            return ref.asText();
        }
        JsonNode url = ref.get("image_url");
        return url != null && url.isTextual() ? url.asText() : null;
    }

    @Override
    public Duration firstCheckDelay(Job job) {
        OpenAiCatalog.Model m = catalog.model(job.model);
        return m == null ? Duration.ofSeconds(30) : m.firstCheck();
    }

    /** The create body exactly as OpenAI's spec has it: seconds as a string, the image as input_reference. */
    @Override
    public HttpCall submit(Job job) {
        ObjectNode r = job.request;
        ObjectNode body = json.createObjectNode();
        body.put("model", job.model);
        body.put("prompt", r.get("prompt").asText());
        body.put("size", r.get("size").asText());
        body.put("seconds", seconds(r));
        String image = imageUrl(r);
        if (image != null) {
            body.putObject("input_reference").put("image_url", image);
        }
        return new HttpCall("POST", ApiJson.join(settings.baseUrl(), VIDEOS), body.toString(),
                java.util.Map.of(IdempotencyKey.HEADER, IdempotencyKey.of(job)));
    }

    @Override
    public SubmitResult interpretSubmit(HttpAnswer http) {
        JsonNode answer = ApiJson.parseObject(json, http.body());
        int status = http.status();
        if (status >= 200 && status < 300) {
            String id = answer == null ? null : ApiJson.text(answer, "id");
            if (id == null && answer != null && answer.has("data")) {
                id = ApiJson.text(answer.get("data"), "id");
            }
            if (id != null) {
                return SubmitResult.created(id);
            }
            return SubmitResult.of(OUTCOME_UNKNOWN, "UNEXPECTED_RESPONSE", "the create answered " + status
                    + " without a video id: " + ApiJson.excerpt(http.body()), status);
        }
        String code = errorCode(answer, status);
        String message = errorMessage(answer, status, http.body());
        SubmitResult.Kind kind;
        if (status == 401 || status == 403 || status == 402) {
            kind = PAUSE;
        } else if (status == 429) {
            kind = "insufficient_quota".equals(code) ? PAUSE : RETRY;
        } else if (status == 408 || status == 409 || status == 500 || status == 503) {
            kind = RETRY;
        } else if (status >= 400 && status < 500) {
            kind = REJECTED;
        } else {
            kind = OUTCOME_UNKNOWN; // a gateway's 502/504 may hide a created, paid task
        }
        return SubmitResult.of(kind, code, message, status).waiting(http.retryAfter());
    }

    @Override
    public HttpCall status(Job job) {
        return new HttpCall("GET", ApiJson.join(settings.baseUrl(), VIDEOS + "/" + job.taskId), null);
    }

    @Override
    public StatusResult interpretStatus(HttpAnswer http) {
        JsonNode answer = ApiJson.parseObject(json, http.body());
        int code = http.status();
        Duration pollAfter = http.millis("openai-poll-after-ms");
        if (code == 200 && answer != null) {
            JsonNode video = answer.has("data") && answer.get("data").isObject() ? answer.get("data") : answer;
            String status = ApiJson.text(video, "status");
            if (status == null) {
                return StatusResult.error(Kind.LOST, "UNEXPECTED_RESPONSE", "the status answer has no status: "
                        + ApiJson.excerpt(http.body()), code);
            }
            String s = status.toLowerCase(Locale.ROOT);
            if (WAITING.contains(s)) {
                JsonNode p = video.get("progress");
                // a number only: a string or a fraction is no reading the status schedule could plan from
                Integer percent = p != null && p.isIntegralNumber() && p.canConvertToInt() ? p.intValue() : null;
                String shown = percent != null ? " " + percent + "%" : "";
                return StatusResult.of(Kind.WAITING, s + shown, code).waiting(pollAfter).withProgress(percent);
            }
            if (DONE.contains(s)) {
                String link = resultLink(video);
                String id = ApiJson.text(video, "id");
                String url = link != null ? link : ApiJson.join(settings.baseUrl(), VIDEOS + "/" + (id != null ? id : "") + "/content");
                return new StatusResult(Kind.COMPLETED, s, url, null, null, null, null, code);
            }
            if (FAILED.contains(s)) {
                JsonNode error = video.get("error");
                String errCode = error != null && error.isObject() ? ApiJson.text(error, "code") : null;
                String errMessage = error == null || error.isNull() ? null
                        : error.isObject() ? ApiJson.text(error, "message") : error.asText();
                return new StatusResult(Kind.FAILED, s, null,
                        errCode != null ? errCode : "TASK_" + s.toUpperCase(Locale.ROOT),
                        "the provider reports the video " + s + (errMessage != null ? ": " + errMessage : ""),
                        null, errMessage, code);
            }
            return StatusResult.error(Kind.LOST, "UNEXPECTED_RESPONSE", "status '" + status + "' is none this module "
                    + "knows (waiting: " + WAITING + ", done: " + DONE + ", failed: " + FAILED + ")", code);
        }
        String errCode = errorCode(answer, code);
        String message = errorMessage(answer, code, http.body());
        if (code == 401 || code == 403) {
            return StatusResult.error(Kind.PAUSE, errCode, message, code);
        }
        if (code == 429 || code == 408 || code >= 500) {
            return StatusResult.error(Kind.RETRY, errCode, message, code).waiting(http.retryAfter());
        }
        return StatusResult.error(Kind.LOST, errCode, message, code);
    }

    @Override
    public boolean canLookUp() {
        return true;
    }

    /** {@code GET /v1/videos} (ListVideos), newest first. */
    @Override
    public HttpCall lookup(Job job, String after, int limit) {
        String query = "?limit=" + limit + "&order=desc"
                + (after == null ? "" : "&after=" + java.net.URLEncoder.encode(after, java.nio.charset.StandardCharsets.UTF_8));
        return new HttpCall("GET", ApiJson.join(settings.baseUrl(), VIDEOS) + query, null);
    }

    @Override
    public LookupResult interpretLookup(HttpAnswer http) {
        JsonNode answer = ApiJson.parseObject(json, http.body());
        int code = http.status();
        if (code == 200) {
            JsonNode data = answer == null ? null : answer.get("data");
            if (data == null || !data.isArray()) {
                return LookupResult.error(LookupResult.Kind.UNAVAILABLE, "UNEXPECTED_RESPONSE",
                        "the list of videos has no data array: " + ApiJson.excerpt(http.body()), code, null);
            }
            List<ListedTask> tasks = new java.util.ArrayList<>();
            for (JsonNode v : data) {
                tasks.add(listed(v));
            }
            String last = ApiJson.text(answer, "last_id");
            if (last == null && !tasks.isEmpty()) {
                last = tasks.get(tasks.size() - 1).id();
            }
            // a list that does not say whether more follow is read as complete: the caller then judges by the
            // oldest creation time it saw whether the page covered the submit's window
            return LookupResult.page(tasks, answer.path("has_more").asBoolean(false), last);
        }
        String errCode = errorCode(answer, code);
        String message = errorMessage(answer, code, http.body());
        if (code == 401 || code == 403) {
            return LookupResult.error(LookupResult.Kind.PAUSE, errCode, message, code, null);
        }
        if (code == 429 || code == 408 || code >= 500) {
            return LookupResult.error(LookupResult.Kind.RETRY, errCode, message, code, http.retryAfter());
        }
        return LookupResult.error(LookupResult.Kind.UNAVAILABLE, errCode, message, code, null);
    }

    @Override
    public ListedTask expectedTask(Job job) {
        ObjectNode r = job.request;
        return new ListedTask(null, job.model, r.path("size").asText(), seconds(r), r.path("prompt").asText(), null);
    }

    /** A listed video, read as tolerantly as a status answer: seconds or duration, created_at in s, ms or ISO. */
    private static ListedTask listed(JsonNode v) {
        JsonNode sec = v.hasNonNull("seconds") ? v.get("seconds") : v.get("duration");
        String seconds = sec == null || sec.isNull() ? null
                : sec.isNumber() ? String.valueOf(sec.asInt()) : sec.asText();
        return new ListedTask(ApiJson.text(v, "id"), ApiJson.text(v, "model"), ApiJson.text(v, "size"), seconds,
                ApiJson.text(v, "prompt"), createdAt(v.get("created_at")));
    }

    private static java.time.Instant createdAt(JsonNode c) {
        if (c == null || c.isNull()) {
            return null;
        }
        if (c.isNumber()) {
            long n = c.asLong();
            return n > 100_000_000_000L ? java.time.Instant.ofEpochMilli(n) : java.time.Instant.ofEpochSecond(n);
        }
        try {
            return java.time.Instant.parse(c.asText());
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /** Gateways put the finished video's link in different places. */
    private static String resultLink(JsonNode video) {
        JsonNode v = video.get("video");
        if (v != null && v.isObject() && ApiJson.text(v, "url") != null) {
            return ApiJson.text(v, "url");
        }
        if (v != null && v.isTextual() && ApiJson.isHttpUrl(v.asText())) {
            return v.asText();
        }
        for (String f : new String[] {"url", "video_url", "result_url"}) {
            String s = ApiJson.text(video, f);
            if (s != null && ApiJson.isHttpUrl(s)) {
                return s;
            }
        }
        return null;
    }

    private static String errorCode(JsonNode answer, int status) {
        JsonNode e = answer == null ? null : answer.get("error");
        if (e != null && e.isObject()) {
            String c = ApiJson.text(e, "code");
            if (c == null) {
                c = ApiJson.text(e, "type");
            }
            if (c != null) {
                return c;
            }
        }
        return "HTTP_" + status;
    }

    private static String errorMessage(JsonNode answer, int status, String body) {
        JsonNode e = answer == null ? null : answer.get("error");
        String m = e != null && e.isObject() ? ApiJson.text(e, "message") : null;
        String prefix = switch (status) {
            case 401 -> "the provider refused the API token (HTTP 401); check the token property. ";
            case 403 -> "the provider refused access (HTTP 403). ";
            case 402 -> "the provider wants payment (HTTP 402); top up the account. ";
            case 429 -> "the provider asked us to slow down or is out of quota (HTTP 429). ";
            default -> "the provider answered HTTP " + status + ". ";
        };
        return prefix + (m != null ? m : ApiJson.excerpt(body));
    }

}
