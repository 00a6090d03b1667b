package dev.soracamel.deadletter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.Next;
import dev.soracamel.intake.IntakeItem;
import dev.soracamel.intake.IntakeStep;
import dev.soracamel.intake.RequestIds;
import dev.soracamel.job.Job;
import dev.soracamel.text.Untrusted;
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


    /** The name both entries of a rejected input share, made once per dead letter. */
    private static final String BASE_NAME = "soraDeadLetterBase";

    public void describe(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        DeadLetter d;
        String base;
        if (job != null) {
            d = job.deadLetter;
            // after a redrive the job's next dead letter gets a name of its own: the earlier ones stay as they are
            base = dev.soracamel.flow.Redrive.deadLetterName(job);
        } else {
            IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
            d = new DeadLetter(item.requestId(), item.rejection().code(), item.rejection().message(), null, null,
                    null, null, null, null, null, item.where(), java.time.Instant.now(), null, null);
            base = rejectedName(item);
        }
        ex.setProperty(BASE_NAME, base);
        ex.getMessage().getHeaders().clear();
        Flow.storageName(ex, keyPrefix, base + ".error.json", "application/json");
        ex.getMessage().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(d));
    }

    /**
     * A rejected input never became a job, so its id is not unique: the same name dropped twice with other
     * contents, or two inputs that give the same request_id, would overwrite each other's dead letters. Each gets
     * its own name, {@code <id>~<digest>}, the digest taken of where the input came from, what was read of it and
     * why it was refused: two different inputs never share one, and the same input read again (the process died
     * before the file left the inbox) writes the same entries again rather than a second pair. '~' is never part
     * of an id, so no job's {@code <id>.error.json} and no other id's rejection can have it.
     */
    static String rejectedName(IntakeItem item) {
        try {
            java.security.MessageDigest d = java.security.MessageDigest.getInstance("SHA-256");
            for (String part : new String[]{item.where(), item.requestId(), item.rejection().code(),
                    item.rejection().message()}) {
                d.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            if (item.original() != null) {
                d.update(item.original());
            }
            return item.requestId() + "~" + java.util.HexFormat.of().formatHex(d.digest(), 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rejections whose input was never read: what is kept beside the reason is a note, not the input. */
    private static final java.util.Set<String> NOTHING_READ = java.util.Set.of("NOT_A_REGULAR_FILE", "FILE_NOT_READABLE");

    /** Of a message that broke a step, this much is kept (the intake's own limit is not known here). */
    private static final int KEEP_UNEXPECTED = 1024 * 1024;


    public void original(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        if (job != null) {
            Flow.storageName(ex, keyPrefix, dev.soracamel.flow.Redrive.deadLetterName(job) + ".json", "application/json");
            ex.getMessage().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(job.request));
            return;
        }
        IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
        String base = ex.getProperty(BASE_NAME, rejectedName(item), String.class);
        if (item.original() != null && NOTHING_READ.contains(item.rejection().code())) {
            // a note of ours saying why nothing of the input could be kept, not the input
            Flow.storageName(ex, keyPrefix, base + ".nothing-read.txt", "text/plain");
            ex.getMessage().setBody(item.original());
        } else if (item.original() != null) {
            Flow.storageName(ex, keyPrefix, base + ".json", "application/json");
            ex.getMessage().setBody(item.original());
        } else {
            // what was read of the intake file or object (at most sora.intake.max-file-bytes; it may not be JSON,
            // or not text at all), never the file itself: a link's target or a huge file is not copied
            boolean json = item.source() != null && item.source().toLowerCase(Locale.ROOT).endsWith(".json");
            Flow.storageName(ex, keyPrefix, base + (json ? ".json" : ".original"), "application/octet-stream");
            Object whole = ex.getProperty(IntakeStep.INTAKE_FILE);
            // nothing kept of what came in (a body no converter could turn into bytes): say so, not fail
            ex.getMessage().setBody(whole instanceof byte[] ? whole
                    : "(the original message could not be kept)".getBytes(StandardCharsets.UTF_8));
        }
    }

    public void done(Exchange ex) {
        Job job = Flow.job(ex);
        if (job != null) {
            if (!board.delivery().deadLettered(job)) {
                ex.setRouteStop(true); // another node wrote it and sends its event
            } else {
                board.events().deadLettered(job);
            }
        } else {
            IntakeItem item = ex.getProperty(Flow.ITEM, IntakeItem.class);
            board.rejectedAtIntake(new JobBoard.Rejected(item.requestId(), item.source(), item.rejection().code(),
                    item.rejection().message()));
            LOG.warn("request {} from {} DEAD-LETTERED {}: {}", item.requestId(), Untrusted.esc(item.where()),
                    item.rejection().code(), Untrusted.esc(item.rejection().message()));
        }
    }

    /**
     * Target of the routes' error handler: a step failed in a way no rule foresaw (a full disk, a bug).
     * The job, or the request being read, still ends in the dead-letter channel with the error.
     */
    public void unexpected(Exchange ex) {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String message = "an unexpected error stopped the job in route " + ex.getProperty(Exchange.FAILURE_ROUTE_ID)
                + ": " + Untrusted.esc(e);
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
                byte[] bytes = IntakeStep.isFile(body) ? null : ex.getMessage().getBody(byte[].class);
                // never the file itself (it may be huge, or a link): it moves to the archive, where it can be looked at
                ex.setProperty(IntakeStep.INTAKE_FILE, bytes != null
                        ? java.util.Arrays.copyOf(bytes, Math.min(bytes.length, KEEP_UNEXPECTED))
                        : ("(the file was not kept here; it moves to the archive: " + Untrusted.esc(name) + ")\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
        ex.setProperty(Flow.ITEM, item.reject(new Rejection("INTERNAL_ERROR", message)));
    }
}
