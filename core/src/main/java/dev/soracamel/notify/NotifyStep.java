package dev.soracamel.notify;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.intake.IntakeItem;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notify route's bean: turns a stored or dead-lettered job (or a request rejected at intake) into an
 * event for the notification endpoint, and records a job's event as sent once the endpoint took it.
 * <p>
 * The event is JSON: {@code event} (stored, dead-lettered, rejected), {@code event_id} (the same for a
 * resend, so a receiver can drop duplicates), {@code pipeline}, {@code job_id}, {@code customer_id},
 * {@code provider}, {@code model}, {@code task_id}, {@code estimated_cost} and {@code currency}, and {@code location} and {@code bytes} of a stored video
 * or {@code code} and {@code message} of a dead letter, and {@code time}.
 */
public class NotifyStep {

    private static final Logger LOG = LoggerFactory.getLogger("sora.notify");

    private final String pipeline;
    private final JobBoard board;
    private final ObjectMapper json;
    /** Jobs whose event every try failed to deliver: sent again on the retry clock. */
    private final Set<String> gaveUp = ConcurrentHashMap.newKeySet();

    public NotifyStep(String pipeline, JobBoard board, ObjectMapper json) {
        this.pipeline = pipeline;
        this.board = board;
        this.json = json;
    }

    public void event(Exchange ex) throws Exception {
        ObjectNode e = json.createObjectNode();
        Job job = Flow.job(ex);
        String name;
        if (job != null) {
            boolean stored = job.state == JobState.STORED;
            name = stored ? "stored" : "dead-lettered";
            e.put("event", name);
            // a job dead-lettered again after a redrive is a new event, not a repeat a receiver may drop
            int redrives = job.redrive == null ? 0 : job.redrive.count;
            e.put("event_id", pipeline + ":" + job.requestId + ":" + name
                    + (!stored && redrives > 0 ? ":redrive-" + redrives : ""));
            e.put("pipeline", pipeline);
            e.put("job_id", job.requestId);
            e.put("customer_id", job.customerId);
            e.put("provider", job.provider);
            e.put("model", job.model);
            e.put("task_id", job.taskId);
            // the price table's estimate of what the job cost (every created task counts), in its currency
            e.put("estimated_cost", job.estimatedCost);
            e.put("currency", job.currency);
            if (stored) {
                e.put("location", job.storedLocation);
                e.put("bytes", job.videoBytes);
                e.put("time", String.valueOf(job.storedAt));
            } else {
                e.put("code", job.deadLetter.code());
                e.put("message", job.deadLetter.message());
                e.put("time", String.valueOf(job.deadAt));
            }
        } else {
            IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
            name = "rejected";
            e.put("event", name);
            e.put("event_id", pipeline + ":" + item.requestId() + ":" + name);
            e.put("pipeline", pipeline);
            e.put("job_id", item.requestId());
            if (item.request() != null && item.request().hasNonNull("customer_id")) {
                e.put("customer_id", item.request().get("customer_id").asText());
            }
            e.put("source", item.source());
            e.put("code", item.rejection().code());
            e.put("message", item.rejection().message());
            e.put("time", Instant.now().toString());
        }
        Message m = ex.getMessage();
        // Only what the receiver needs: a job's headers (file names, S3 keys, provider answers) stay here.
        m.getHeaders().clear();
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader(Exchange.HTTP_METHOD, "POST");
        // a file or S3 receiver writes one object per event, named so that a resend overwrites it
        m.setHeader(Exchange.FILE_NAME, e.get("event_id").asText().replace(':', '_') + ".json");
        m.setBody(json.writeValueAsString(e));
    }

    public void sent(Exchange ex) {
        Job job = Flow.job(ex);
        if (job != null) {
            board.delivery().notified(job);
        }
    }

    /**
     * Every try failed: the job keeps its pending mark, and its event is sent again on the retry clock
     * ({@code sora.notify.retry-cron}) and at the next start.
     */
    public void gaveUp(Exchange ex) {
        Throwable e = ex.getException() != null ? ex.getException()
                : ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Job job = Flow.job(ex);
        if (job != null) {
            gaveUp.add(job.requestId);
        }
        LOG.error("the notification endpoint refused the event of {} after every retry: {}{}",
                job != null ? "job " + job.requestId : "a rejected request", e,
                job != null ? "; it is sent again on the retry clock (sora.notify.retry-cron)" : "");
        ex.setException(null);
    }

    /** The jobs to send again now: those given up on since the last time, still not announced. */
    public List<String> retry() {
        List<String> again = new ArrayList<>();
        for (String id : List.copyOf(gaveUp)) {
            gaveUp.remove(id);
            board.find(id).filter(j -> j.notifyPending).ifPresent(j -> again.add(id));
        }
        if (!again.isEmpty()) {
            LOG.warn("sending the events of {} jobs again: {}", again.size(), again);
        }
        return again;
    }
}
