package dev.soracamel.deadletter;

import java.io.File;
import java.io.IOException;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.Next;
import dev.soracamel.intake.IntakeItem;
import dev.soracamel.intake.IntakeStep;
import dev.soracamel.intake.RequestIds;
import dev.soracamel.job.Job;
import dev.soracamel.validate.Rejection;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead-letter route's bean. Whatever failed, a job or a request that never became one, the channel
 * receives two entries: {@code <id>.error.json} with the reason, and the original request. Each is named
 * for a folder endpoint (CamelFileName) and for an S3 endpoint (CamelAwsS3Key, under the configured
 * prefix), so the same route writes to either.
 */
public class DeadLetterStep {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");

    private final JobBoard board;
    private final ObjectMapper json;
    private final String keyPrefix;

    /** @param keyPrefix S3 key prefix of dead letters ({@code sora.dead-letter.s3.prefix}, normalized) */
    public DeadLetterStep(JobBoard board, ObjectMapper json, String keyPrefix) {
        this.board = board;
        this.json = json;
        this.keyPrefix = keyPrefix;
    }


    public void describe(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        DeadLetter d;
        if (job != null) {
            d = job.deadLetter;
        } else {
            IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
            d = new DeadLetter(item.requestId(), item.rejection().code(), item.rejection().message(), null, null,
                    null, null, null, null, null, item.source(), java.time.Instant.now(), null, null);
        }
        ex.getMessage().getHeaders().clear();
        Flow.storageName(ex, keyPrefix, d.requestId() + ".error.json", "application/json");
        ex.getMessage().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(d));
    }

    public void original(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        if (job != null) {
            Flow.storageName(ex, keyPrefix, job.requestId + ".json", "application/json");
            ex.getMessage().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(job.request));
            return;
        }
        IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
        if (item.original() != null) {
            Flow.storageName(ex, keyPrefix, item.requestId() + ".json", "application/json");
            ex.getMessage().setBody(item.original());
        } else {
            // the whole intake file as it came (it may not be JSON, or not text at all): a File from the inbox
            // folder, or the bytes read of an S3 object
            Flow.storageName(ex, keyPrefix, safeName(item), "application/octet-stream");
            Object whole = ex.getProperty(IntakeStep.INTAKE_FILE);
            // nothing kept of what came in (a body no converter could turn into bytes): say so, not fail
            ex.getMessage().setBody(whole != null ? whole : "(the original message could not be kept)".getBytes());
        }
    }

    private static String safeName(IntakeItem item) {
        String name = item.source();
        return RequestIds.isSafe(name) ? name : item.requestId() + ".original";
    }

    public void done(Exchange ex) {
        Job job = Flow.job(ex);
        if (job != null) {
            if (!board.delivery().deadLettered(job)) {
                ex.setRouteStop(true); // another node wrote it and sends its event
            }
        } else {
            IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
            board.rejectedAtIntake(new JobBoard.Rejected(item.requestId(), item.source(), item.rejection().code(),
                    item.rejection().message()));
            LOG.warn("request {} from {} DEAD-LETTERED {}: {}", item.requestId(), item.source(),
                    item.rejection().code(), item.rejection().message());
        }
    }

    /**
     * Target of the routes' error handler: a step failed in a way no rule foresaw (a full disk, a bug).
     * The job, or the request being read, still ends in the dead-letter channel with the error.
     */
    public void unexpected(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = "an unexpected error stopped the job in route " + ex.getProperty(Exchange.FAILURE_ROUTE_ID)
                + ": " + e;
        LOG.error(message, e);
        Job job = Flow.job(ex);
        if (job != null) {
            // a dead letter whose writing failed is written again; a job another node has now is left to it
            boolean deadAlready = job.state == dev.soracamel.job.JobState.DEAD;
            boolean mine = board.fail(job, "INTERNAL_ERROR", message);
            Flow.next(ex, mine || deadAlready ? Next.DEAD_LETTER : Next.WAIT);
            return;
        }
        IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
        boolean fromIntake = ex.getMessage().getHeader(Exchange.FILE_NAME_ONLY) != null;
        if (item == null && !fromIntake) {
            // a timer step failed before it took a job: nothing to dead-letter, the log says it all
            Flow.next(ex, Next.WAIT);
            return;
        }
        Flow.next(ex, Next.DEAD_LETTER);
        if (item == null) {
            String name = ex.getMessage().getHeader(Exchange.FILE_NAME_ONLY, "unknown", String.class);
            item = new IntakeItem(RequestIds.fromFileName(name), null, null, name, null);
            if (ex.getProperty(IntakeStep.INTAKE_FILE) == null) {
                Object body = ex.getMessage().getBody();
                ex.setProperty(IntakeStep.INTAKE_FILE, IntakeStep.isFile(body) ? ex.getMessage().getBody(File.class)
                        : ex.getMessage().getBody(byte[].class));
            }
        }
        ex.setProperty(Flow.ITEM, item.reject(new Rejection("INTERNAL_ERROR", message)));
    }
}
