package dev.soracamel.intake;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.Next;
import dev.soracamel.job.Job;
import dev.soracamel.text.Untrusted;
import dev.soracamel.validate.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synchronous entry ({@code direct:<pipeline>-request}, route {@code <pipeline>-request}): one request as the message body,
 * the same checks as a request read from the inbox, and an answer at once. The answer is a map:
 * <ul>
 *   <li>{@code outcome=accepted}: {@code job_id}, {@code provider}, {@code state} (as it is when answered: QUEUED,
 *       or already SUBMITTING when a slot was free);</li>
 *   <li>{@code outcome=duplicate}: the job that already has this request id ({@code job_id}, {@code provider},
 *       {@code state}) and a {@code message} saying this copy was not submitted: sending the same request again
 *       is safe, it never makes a second job;</li>
 *   <li>{@code outcome=rejected}: {@code request_id}, {@code code} (the seed's names, e.g. DURATION_NOT_VALID) and
 *       {@code message}.</li>
 * </ul>
 * A rejection is not written to the dead-letter channel unless {@code sora.request.dead-letter-rejections=true}:
 * the caller already holds the reason, and a channel that any client can fill with its typos would bury the
 * failures an operator must act on (those that happen after the answer, when nobody else is told). The
 * rejection is still logged and counted with the other intake rejections.
 */
public class RequestReply {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");

    /** Optional header: where the request came from, kept in the job's record (default: the entry's name). */
    public static final String SOURCE = "SoraSource";
    /** Exchange property: someone waits for this answer, so no step may keep them waiting long (the image check). */
    public static final String CALLER_WAITS = "soraCallerWaits";
    /** Header on the answer: accepted, duplicate or rejected. */
    public static final String OUTCOME = "SoraOutcome";

    private final JobBoard board;
    private final ObjectMapper json;
    private final RequestParser parser;
    private final boolean deadLetterRejections;

    /** The entry's own endpoint, {@code direct:<pipeline>-request}: where a request without a SoraSource came from. */
    private final String entry;

    public RequestReply(JobBoard board, ObjectMapper json, RequestParser parser, boolean deadLetterRejections,
                        String entry) {
        this.board = board;
        this.json = json;
        this.parser = parser;
        this.deadLetterRejections = deadLetterRejections;
        this.entry = entry;
    }

    /** True when the request was refused and refusals go to the dead-letter channel too. */
    public boolean toDeadLetter(Exchange ex) {
        return deadLetterRejections && Next.DEAD_LETTER.name().equals(ex.getProperty(Flow.NEXT, String.class));
    }

    /**
     * The body (JSON text or bytes, a stream, a Map or a Jackson node) as one intake item, for the
     * {@code accept} step. At most {@code sora.intake.max-file-bytes} are read.
     */
    public void read(Exchange ex) throws IOException {
        Message m = ex.getMessage();
        ex.setProperty(CALLER_WAITS, true);
        String source = m.getHeader(SOURCE, entry, String.class);
        String defaultId = UUID.randomUUID().toString();
        long max = parser.maxFileBytes();
        Object body = m.getBody();
        byte[] bytes;
        if (body instanceof Map<?, ?> || body instanceof JsonNode) {
            bytes = json.writeValueAsBytes(body);
        } else {
            InputStream in = body == null ? null : m.getBody(InputStream.class);
            if (body != null && in == null) {
                throw new IllegalArgumentException(entry + " takes JSON text, bytes, a stream or a Map; got "
                        + body.getClass().getName());
            }
            try (InputStream s = in == null ? InputStream.nullInputStream() : in) {
                bytes = s.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            }
        }
        IntakeItem item;
        if (bytes.length > max) {
            item = new IntakeItem(defaultId, null, Arrays.copyOf(bytes, (int) Math.min(max, bytes.length)), source,
                    new Rejection("REQUEST_TOO_LARGE", "the request has more than " + max
                            + " bytes (sora.intake.max-file-bytes); a request is a few hundred bytes"));
        } else {
            item = parser.one(defaultId, source, bytes);
        }
        m.setBody(item);
    }

    /** Turns what the {@code accept} step decided into the answer (the message body, a map). */
    public void reply(Exchange ex) {
        IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
        Next next = Next.valueOf(ex.getProperty(Flow.NEXT, String.class));
        Map<String, Object> answer = new LinkedHashMap<>();
        switch (next) {
            case DEAD_LETTER -> {
                Rejection why = item.rejection();
                answer.put("outcome", "rejected");
                answer.put("request_id", item.requestId());
                answer.put("code", why.code());
                answer.put("message", why.message());
                answer.put("dead_lettered", deadLetterRejections);
                if (!deadLetterRejections) {
                    // with dead-lettering on, the dead-letter route has counted and logged it
                    board.rejectedAtIntake(new JobBoard.Rejected(item.requestId(), item.source(), why.code(),
                            why.message()));
                    LOG.warn("request {} from {} REJECTED {}: {} (answered to the caller, no dead letter)",
                            item.requestId(), Untrusted.esc(item.source()), why.code(), Untrusted.esc(why.message()));
                }
            }
            case DUPLICATE -> {
                Job earlier = board.find(item.requestId()).orElseThrow(() -> new IllegalStateException(
                        "request " + item.requestId() + " was taken for a duplicate, but no such job is on record"));
                boolean same = earlier.request != null && earlier.request.equals(item.request());
                answer.put("outcome", "duplicate");
                job(answer, earlier);
                answer.put("message", "request_id " + item.requestId() + " was accepted before (from "
                        + Untrusted.esc(earlier.source)
                        + " at " + earlier.acceptedAt + "); this request was not submitted again"
                        + (same ? "" : ", and it differs from the one accepted: to have it made, send it with a new "
                        + "request_id") + ". The job shown is the one accepted");
                answer.put("same_request", same);
            }
            case WAIT -> {
                answer.put("outcome", "accepted");
                job(answer, board.find(item.requestId()).orElseThrow(() -> new IllegalStateException(
                        "request " + item.requestId() + " was accepted, but no such job is on record")));
            }
            default -> throw new IllegalStateException("the accept step answered " + next);
        }
        ex.getMessage().setBody(answer);
        ex.getMessage().setHeader(OUTCOME, answer.get("outcome"));
    }

    private void job(Map<String, Object> answer, Job job) {
        // read under the board's lock: the submit route may be changing this job at this moment
        answer.put("job_id", job.requestId);
        answer.put("provider", job.provider);
        answer.put("state", job.state.name());
    }
}
