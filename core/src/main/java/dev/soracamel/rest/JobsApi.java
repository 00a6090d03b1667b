package dev.soracamel.rest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.intake.RequestIds;
import dev.soracamel.intake.RequestReply;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean behind {@code routes/standalone/80-rest.yaml}: HTTP in and out around the synchronous request entry and the
 * job board. Every answer is JSON with only the headers set here: the request's headers are dropped first, so
 * nothing a client sends is echoed back or travels on into the pipeline (a CamelFileName would name a file).
 */
public class JobsApi {

    private static final Logger LOG = LoggerFactory.getLogger("sora.rest");
    /** Where the POST arrived (e.g. /jobs), for the status link of its answer. */
    private static final String POSTED_AT = "soraPostedAt";

    private final JobBoard board;
    private final ObjectMapper json;
    private final int defaultLimit;
    private final int maxLimit;

    public JobsApi(JobBoard board, ObjectMapper json, int defaultLimit, int maxLimit) {
        this.board = board;
        this.json = json;
        this.defaultLimit = defaultLimit;
        this.maxLimit = maxLimit;
    }

    // ---------------------------------------------------------------- POST /jobs

    /** A body that is not JSON by its Content-Type: answered 415, never read. */
    static final class NotJson extends Exception {
        NotJson() {
            super(null, null, false, false);
        }
    }

    /** True for application/json and any application/*+json, in any case, with or without parameters. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi >= 0 ? contentType.substring(0, semi) : contentType).strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json") || (type.startsWith("application/") && type.endsWith("+json"));
    }

    /** Before {@code direct:sora-request}: the body alone, with where it came from. */
    public void request(Exchange ex) throws NotJson {
        Message m = ex.getMessage();
        if (!isJson(m.getHeader(Exchange.CONTENT_TYPE, String.class))) {
            throw new NotJson();
        }
        String path = m.getHeader(Exchange.HTTP_PATH, String.class);
        String uri = m.getHeader(Exchange.HTTP_URI, String.class);
        ex.setProperty(POSTED_AT, base(uri != null ? uri : path));
        byte[] body = m.getBody(byte[].class);
        m.getHeaders().clear();
        m.setHeader(RequestReply.SOURCE, "POST /jobs");
        m.setBody(body);
    }

    /** After {@code direct:sora-request}: 202 accepted, 200 for a request id already accepted, 400 (or 413) rejected. */
    @SuppressWarnings("unchecked")
    public void posted(Exchange ex) throws JsonProcessingException {
        Map<String, Object> answer = ex.getMessage().getBody(Map.class);
        String outcome = String.valueOf(answer.get("outcome"));
        Map<String, Object> out = new LinkedHashMap<>();
        int status;
        if ("rejected".equals(outcome)) {
            Object code = answer.get("code");
            status = "REQUEST_TOO_LARGE".equals(code) ? 413 : "IMAGE_CHECK_BUSY".equals(code) ? 503 : 400;
            out.put("code", code);
            out.put("message", answer.get("message"));
            out.put("request_id", answer.get("request_id"));
            respond(ex, status, out);
            if (status == 503) {
                ex.getMessage().setHeader("Retry-After", "5");
            }
            return;
        }
        String id = String.valueOf(answer.get("job_id"));
        String statusUrl = ex.getProperty(POSTED_AT, "/jobs", String.class) + "/" + id;
        out.put("job_id", id);
        out.put("state", answer.get("state"));
        out.put("provider", answer.get("provider"));
        out.put("status_url", statusUrl);
        if ("duplicate".equals(outcome)) {
            out.put("duplicate", true);
            out.put("same_request", answer.get("same_request"));
            out.put("message", answer.get("message"));
            status = 200;
        } else {
            status = 202;
        }
        respond(ex, status, out);
        ex.getMessage().setHeader("Location", statusUrl);
    }

    // ---------------------------------------------------------------- GET /jobs/{id}

    public void job(Exchange ex) throws JsonProcessingException {
        String id = ex.getMessage().getHeader("id", String.class);
        Job job = RequestIds.isSafe(id) ? board.find(id).orElse(null) : null;
        if (job == null) {
            respond(ex, 404, error("JOB_NOT_FOUND", "no job has the id " + quote(id)
                    + " (a request that was rejected never became a job)"));
            return;
        }
        respond(ex, 200, JobView.of(job));
    }

    // ---------------------------------------------------------------- GET /jobs

    /** Newest first, optionally only some states ({@code ?state=QUEUED,POLLING}), at most {@code ?limit=} of them. */
    public void list(Exchange ex) throws JsonProcessingException {
        Message m = ex.getMessage();
        Set<JobState> states;
        try {
            states = JobState.parseList(m.getHeader("state", String.class));
        } catch (IllegalArgumentException e) {
            respond(ex, 400, error("STATE_NOT_VALID", "state " + quote(e.getMessage()) + " is not one of "
                    + Arrays.toString(JobState.values())));
            return;
        }
        int limit = defaultLimit;
        String limitParam = m.getHeader("limit", String.class);
        if (limitParam != null && !limitParam.isBlank()) {
            try {
                limit = Integer.parseInt(limitParam.strip());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > maxLimit) {
                respond(ex, 400, error("LIMIT_NOT_VALID", "limit must be a whole number from 1 to " + maxLimit
                        + " (sora.rest.list-max-limit); got " + quote(limitParam)));
                return;
            }
        }
        Set<JobState> wanted = states;
        int max = limit;
        // counts and the page come from the repository (every node's jobs), never a scan of all records here
        Map<JobState, Integer> counts = board.queries().countByState();
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Job j : board.queries().list(wanted, max)) {
            jobs.add(JobView.summary(j));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("counts", counts);
        out.put("total", counts.values().stream().mapToInt(Integer::intValue).sum());
        out.put("rejected_at_intake", board.queries().rejectedCount());
        out.put("matching", wanted.stream().mapToInt(s -> counts.getOrDefault(s, 0)).sum());
        out.put("shown", jobs.size());
        out.put("jobs", jobs);
        respond(ex, 200, out);
    }

    // ---------------------------------------------------------------- POST /jobs/{id}/redrive

    /** Set when the redrive call could be read and goes on to {@code direct:sora-redrive}. */
    private static final String REDRIVE_ASK = "soraRedriveAsk";

    /**
     * Before {@code direct:sora-redrive}: the id from the path and the flag from the body, which may be empty or
     * {@code {"accept_possible_double_payment": true}}; anything else is answered 400 here.
     */
    public void redriveRequest(Exchange ex) throws NotJson, JsonProcessingException {
        Message m = ex.getMessage();
        String id = m.getHeader("id", String.class);
        byte[] body = m.getBody(byte[].class);
        String text = body == null ? "" : new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        boolean consent = false;
        if (!text.isEmpty()) {
            if (!isJson(m.getHeader(Exchange.CONTENT_TYPE, String.class))) {
                throw new NotJson();
            }
            com.fasterxml.jackson.databind.JsonNode node = body.length > 64 * 1024 ? null
                    : dev.soracamel.deadletter.RedriveStep.readObject(json, text);
            String error;
            if (node == null) {
                error = "the body must be empty or a JSON object such as {\"accept_possible_double_payment\": true}";
            } else {
                var ask = dev.soracamel.deadletter.RedriveStep.fromObject(
                        (com.fasterxml.jackson.databind.node.ObjectNode) node, false);
                error = ask.error();
                consent = ask.consent();
            }
            if (error != null) {
                ex.setProperty(REDRIVE_ASK, false);
                respond(ex, 400, error("REDRIVE_NOT_VALID", error));
                return;
            }
        }
        m.getHeaders().clear();
        m.setHeader(dev.soracamel.deadletter.RedriveStep.BY, "POST /jobs/"
                + (RequestIds.isSafe(id) ? id : "{id}") + "/redrive");
        Map<String, Object> ask = new LinkedHashMap<>();
        ask.put("job_id", id);
        ask.put(dev.soracamel.deadletter.RedriveStep.CONSENT, consent);
        m.setBody(ask);
        ex.setProperty(REDRIVE_ASK, true);
    }

    /**
     * After {@code direct:sora-redrive}: 202 sent back, 200 redriven before and still under way (nothing changed),
     * 404 no such job, 409 not dead or a code that may not be redriven (why, in the answer), 400 a bad call.
     */
    @SuppressWarnings("unchecked")
    public void redriven(Exchange ex) throws JsonProcessingException {
        Map<String, Object> answer = new LinkedHashMap<>(ex.getMessage().getBody(Map.class));
        Object outcome = answer.get("outcome");
        int status = switch (String.valueOf(outcome)) {
            case "redriven" -> 202;
            case "unchanged" -> 200;
            case "not_found" -> 404;
            case "bad_request" -> 400;
            default -> 409;
        };
        Object id = answer.get("job_id");
        if (status == 202 || status == 200) {
            answer.put("status_url", "/jobs/" + id);
        }
        respond(ex, status, answer);
        if (status == 202) {
            ex.getMessage().setHeader("Location", "/jobs/" + id);
        }
    }

    // ---------------------------------------------------------------- errors

    /**
     * A request that is not JSON: 415. Anything else is a failure nobody foresaw (a full disk, a bug): 500 with a
     * sentence, never the exception's text nor a stack trace (those go to the log, which the caller cannot read).
     */
    public void failed(Exchange ex) throws JsonProcessingException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (e instanceof NotJson) {
            respond(ex, 415, error("UNSUPPORTED_MEDIA_TYPE", "send the request as JSON, with Content-Type: "
                    + "application/json"));
            return;
        }
        LOG.error("REST request failed: {}", dev.soracamel.text.Untrusted.esc(e), e);
        respond(ex, 500, error("INTERNAL_ERROR", "the request could not be handled because of an internal error (the "
                + "log says which). Look the job up before sending the request again (with the same request_id it is "
                + "never made twice)"));
    }

    // ----------------------------------------------------------------

    private void respond(Exchange ex, int status, Object body) throws JsonProcessingException {
        Message m = ex.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(body));
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        return e;
    }

    private static String quote(String s) {
        if (s == null) {
            return "(none)";
        }
        String safe = dev.soracamel.text.Untrusted.esc(s);
        String cut = safe.length() > 140 ? safe.substring(0, 140) + "..." : safe;
        return "\"" + cut + "\"";
    }

    /** The collection's path as the client called it, without a query or a trailing slash. */
    private static String base(String uri) {
        if (uri == null || uri.isBlank()) {
            return "/jobs";
        }
        int q = uri.indexOf('?');
        String p = q >= 0 ? uri.substring(0, q) : uri;
        if (p.startsWith("http://") || p.startsWith("https://")) {
            int slash = p.indexOf('/', p.indexOf("//") + 2);
            p = slash < 0 ? "/" : p.substring(slash);
        }
        while (p.endsWith("/") && p.length() > 1) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? "/jobs" : p;
    }
}
