package dev.soracamel.deadletter;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.text.Untrusted;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean of {@code direct:<pipeline>-redrive} (template {@code sora-redrive} in {@code 60-dead-letter.yaml}): one
 * redrive asked by REST, by a host application or by a file in the dead-letter folder, all under the same rules
 * ({@link dev.soracamel.flow.Redrive}). The answer is a map, as {@code direct:<pipeline>-request} answers. The dead
 * letter a job is redriven from is kept, and marked by a {@code <name>.redriven.json} beside it, written to the
 * dead-letter endpoint itself: that works for a folder, S3 or any endpoint, where rewriting the reason file would not.
 */
public class RedriveStep {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");
    /** Header naming who asks, kept on the job record; the endpoint's own name when absent. */
    public static final String BY = "SoraRedriveBy";
    /** The flag that accepts a possible second payment. */
    public static final String CONSENT = "accept_possible_double_payment";
    /** The most of a text body read for one redrive: an id and a flag are a few dozen bytes. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final String ANSWER = "soraRedriveAnswer";

    private final JobBoard board;
    private final ObjectMapper json;
    private final String keyPrefix;
    private final String pipeline;

    public RedriveStep(JobBoard board, ObjectMapper json, String keyPrefix, String pipeline) {
        this.board = board;
        this.json = json;
        this.keyPrefix = keyPrefix;
        this.pipeline = pipeline;
    }

    /** What one call asks: the job, and whether a possible double payment is accepted; or why it cannot be read. */
    public record Ask(String jobId, boolean consent, String error) {
        static Ask bad(String error) {
            return new Ask(null, false, error);
        }
    }

    /**
     * The body: the job id as text, or a JSON object or Map {@code {"job_id": ..., "accept_possible_double_payment":
     * true}}. Any other key is refused rather than ignored: a misspelt flag must not pass for "no".
     */
    public Ask parse(Object body) {
        if (body == null) {
            return Ask.bad("the body is empty: send the job id, or {\"job_id\": \"...\"}");
        }
        if (body instanceof Map<?, ?> map) {
            return fromObject(json.valueToTree(map), true);
        }
        if (body instanceof JsonNode node) {
            return node.isObject() ? fromObject((ObjectNode) node, true) : Ask.bad("the body must be a JSON object");
        }
        byte[] bytes;
        if (body instanceof byte[] b) {
            bytes = b;
        } else if (body instanceof String s) {
            bytes = s.getBytes(StandardCharsets.UTF_8);
        } else if (body instanceof InputStream in) {
            try (in) {
                bytes = in.readNBytes(MAX_BODY_BYTES + 1);
            } catch (IOException e) {
                return Ask.bad("the body could not be read: " + e.getMessage());
            }
        } else {
            return Ask.bad("the body must be the job id as text, or a JSON object or Map; got "
                    + body.getClass().getSimpleName());
        }
        if (bytes.length > MAX_BODY_BYTES) {
            return Ask.bad("the body is longer than " + MAX_BODY_BYTES + " bytes");
        }
        String text = new String(bytes, StandardCharsets.UTF_8).strip();
        if (!text.startsWith("{")) {
            return text.isEmpty() ? Ask.bad("the body is empty: send the job id") : new Ask(text, false, null);
        }
        JsonNode node = readObject(json, text);
        return node == null ? Ask.bad("the body is not a JSON object") : fromObject((ObjectNode) node, true);
    }

    /** A JSON object, or null when the text is none (at most {@link #MAX_BODY_BYTES}, checked by the caller). */
    public static JsonNode readObject(ObjectMapper json, String text) {
        try {
            JsonNode node = json.reader().with(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The flag (and with {@code withId} the job id) out of an object; any other key is an error.
     */
    public static Ask fromObject(ObjectNode o, boolean withId) {
        String id = null;
        boolean consent = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            switch (f.getKey()) {
                case "job_id" -> {
                    if (!withId || !f.getValue().isTextual()) {
                        return Ask.bad(withId ? "job_id must be a string" : "job_id is given by the path, not the body");
                    }
                    id = f.getValue().asText();
                }
                case CONSENT -> {
                    if (!f.getValue().isBoolean()) {
                        return Ask.bad(CONSENT + " must be true or false, not " + cut(f.getValue().toString()));
                    }
                    consent = f.getValue().booleanValue();
                }
                default -> {
                    return Ask.bad("unknown field " + cut(f.getKey()) + ": the body may hold "
                            + (withId ? "job_id and " : "") + CONSENT + " only");
                }
            }
        }
        if (withId && id == null) {
            return Ask.bad("job_id is missing");
        }
        return new Ask(id, consent, null);
    }

    private static String cut(String s) {
        String e = Untrusted.esc(s);
        return "\"" + (e.length() > 60 ? e.substring(0, 60) + "..." : e) + "\"";
    }

    /** The redrive itself; the body becomes the answer (a Map with {@code outcome}). */
    public void redrive(Exchange ex) {
        Message m = ex.getMessage();
        String by = m.getHeader(BY, "direct:" + pipeline + "-redrive", String.class);
        Ask ask = parse(m.getBody());
        Map<String, Object> answer = new LinkedHashMap<>();
        if (ask.error() != null) {
            answer.put("outcome", "bad_request");
            answer.put("code", "REDRIVE_NOT_VALID");
            answer.put("message", ask.error());
        } else {
            JobBoard.RedriveAnswer a = board.redrive(ask.jobId(), ask.consent(), by);
            answer.put("outcome", a.outcome());
            answer.putAll(a.body());
        }
        ex.setProperty(ANSWER, answer);
        m.getHeaders().clear();
        m.setBody(answer);
    }

    /** True when the call sent a job back from a dead letter that is now to be marked. */
    public boolean toMark(Exchange ex) {
        Map<?, ?> a = ex.getProperty(ANSWER, Map.class);
        return a != null && "redriven".equals(a.get("outcome")) && a.get("dead_letter") != null;
    }

    /** True when the job was sent back to its store: the store is started on this node, the node that has the video. */
    public boolean toStore(Exchange ex) {
        Map<?, ?> a = ex.getProperty(ANSWER, Map.class);
        return a != null && "redriven".equals(a.get("outcome"))
                && dev.soracamel.flow.Redrive.Step.STORE.word().equals(a.get("resumes_at"));
    }

    /** The job id of the answer, for the store route (its recover bean loads the job by id). */
    public String jobId(Exchange ex) {
        Map<?, ?> a = ex.getProperty(ANSWER, Map.class);
        return String.valueOf(a.get("job_id"));
    }

    /** {@code <dead letter>.redriven.json}: when, by whom, which redrive, where the job went on. */
    public void marker(Exchange ex) throws IOException {
        Map<?, ?> a = ex.getProperty(ANSWER, Map.class);
        Map<String, Object> mark = new LinkedHashMap<>();
        mark.put("request_id", a.get("job_id"));
        mark.put("dead_letter", a.get("dead_letter"));
        mark.put("code", a.get("dead_letter_code"));
        mark.put("redriven_at", String.valueOf(a.get("redriven_at")));
        mark.put("redrive_count", a.get("redrive_count"));
        board.find(String.valueOf(a.get("job_id"))).ifPresent(j -> mark.put("redriven_by",
                j.redrive == null ? null : j.redrive.by));
        mark.put("resumes_at", a.get("resumes_at"));
        mark.put("may_cost", a.get("may_cost"));
        Message m = ex.getMessage();
        m.getHeaders().clear();
        Flow.storageName(ex, keyPrefix, a.get("dead_letter") + ".redriven.json", "application/json");
        m.setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(mark));
    }

    /** The answer again, after the marker's write. */
    public void answer(Exchange ex) {
        Map<?, ?> a = ex.getProperty(ANSWER, Map.class);
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setBody(a);
    }

    /**
     * The marker could not be written (the dead-letter endpoint is down): the job is redriven all the same, and the
     * answer says the dead letter is not marked.
     */
    @SuppressWarnings("unchecked")
    public void markFailed(Exchange ex) {
        Map<String, Object> a = ex.getProperty(ANSWER, Map.class);
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.warn("job {}: redriven, but its dead letter {} could not be marked as redriven: {}", a.get("job_id"),
                a.get("dead_letter"), Untrusted.esc(e));
        a.put("dead_letter_marked", false);
        answer(ex);
    }
}
