package dev.soracamel.intake;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.Next;
import dev.soracamel.job.Job;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.validate.ImageProbe;
import dev.soracamel.validate.Rejection;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.file.GenericFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.http.Abortable;

/**
 * The intake routes' bean: reads a request file into requests, and accepts each one that passes every
 * local check into the queue. Nothing here calls the provider.
 */
public class IntakeStep {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");
    /** The intake file as it came (a File, or the bytes read of an S3 object), for a dead letter that carries it. */
    public static final String INTAKE_FILE = "soraIntakeFile";

    private final JobBoard board;
    private final RequestParser parser;
    private final ImageProbe images;

    public IntakeStep(JobBoard board, RequestParser parser, ImageProbe images) {
        this.board = board;
        this.parser = parser;
        this.images = images;
    }

    /**
     * Reads an intake file, or an object from the intake bucket, into requests. A file is handed on as the
     * file itself; an object arrives as a stream, of which at most {@code sora.intake.max-file-bytes} are read
     * (a larger or non-JSON object is rejected whole, and its dead letter carries those first bytes; the
     * object itself moves to the processed prefix).
     */
    public List<IntakeItem> read(Exchange ex) throws IOException {
        Message m = ex.getMessage();
        String key = m.getHeader(AWS2S3Constants.KEY, String.class);
        if (key == null) {
            String name = m.getHeader(Exchange.FILE_NAME_ONLY, String.class);
            if (name == null) {
                // A message from another endpoint has no file name to take a default request_id from: each
                // gets a fresh one, so two messages without request_id are two jobs (a sender that may resend
                // gives its own request_id, and a resend is then a duplicate, never a second paid job).
                name = m.getHeader(Exchange.FILE_NAME, "message-" + java.util.UUID.randomUUID() + ".json", String.class);
            }
            if (!isFile(m.getBody())) {
                // a message (a queue, a host's direct: endpoint): its bytes are what a dead letter carries
                byte[] bytes = m.getBody(byte[].class);
                bytes = bytes == null ? new byte[0] : bytes;
                ex.setProperty(INTAKE_FILE, bytes);
                byte[] read = bytes;
                return parser.parse(name, read.length, () -> read);
            }
            Long size = m.getHeader(Exchange.FILE_LENGTH, Long.class);
            ex.setProperty(INTAKE_FILE, m.getBody(File.class));
            return parser.parse(name, size == null ? 0 : size, () -> m.getBody(byte[].class));
        }
        if (key.endsWith("/")) {
            // a "folder" made in an S3 console: an empty marker object, not a request; it moves on with the rest
            return List.of();
        }
        byte[] head = readAtMost(m.getBody(InputStream.class), parser.maxFileBytes(), key);
        long size = m.getHeader(AWS2S3Constants.CONTENT_LENGTH, (long) head.length, Long.class);
        ex.setProperty(INTAKE_FILE, head);
        List<IntakeItem> items = parser.parse(key.substring(key.lastIndexOf('/') + 1), size, () -> head);
        if (size > head.length) {
            return items.stream().map(i -> i.rejection() == null ? i : i.reject(new Rejection(i.rejection().code(),
                    i.rejection().message() + " (the dead letter holds its first " + head.length + " bytes; the whole "
                            + "object moves to the processed prefix)"))).toList();
        }
        return items;
    }

    /** A file from the inbox (Camel's file consumer hands on a GenericFile), not a message body of another kind. */
    public static boolean isFile(Object body) {
        return body instanceof File || body instanceof GenericFile<?>;
    }

    /**
     * The first {@code max} bytes of an S3 object. A longer object is cut off rather than drained: its
     * connection is aborted, so a huge object costs neither memory nor the time to download it.
     */
    private static byte[] readAtMost(InputStream in, long max, String key) throws IOException {
        try {
            byte[] head = in.readNBytes((int) Math.min(max, Integer.MAX_VALUE - 8));
            if (in instanceof Abortable a && in.read() >= 0) {
                a.abort();
            }
            return head;
        } catch (IOException e) {
            // the route has no dead-letter handler: the object stays under the intake prefix and is read again
            throw new IOException("could not read S3 object " + key + "; it stays in the intake and is read again at "
                    + "the next poll: " + e.getMessage(), e);
        }
    }

    public void accept(Exchange ex) {
        IntakeItem item = ex.getMessage().getBody(IntakeItem.class);
        ex.setProperty(Flow.ITEM, item);
        Job earlier = item.rejection() == null ? board.find(item.requestId()).orElse(null) : null;
        if (earlier != null) {
            LOG.warn("request {} from {} is a duplicate: that request_id was accepted from {} at {}; "
                    + "it is not submitted again", item.requestId(), item.source(), earlier.source, earlier.acceptedAt);
            Flow.next(ex, Next.DUPLICATE);
            return;
        }
        Rejection why = item.rejection() != null ? item.rejection() : check(item.request());
        if (why != null) {
            ex.setProperty(Flow.ITEM, item.reject(why));
            Flow.next(ex, Next.DEAD_LETTER);
            return;
        }
        ObjectNode request = item.request();
        String providerName = provider(request);
        ProviderAdapter adapter = board.adapter(providerName);
        Job job = new Job();
        job.requestId = item.requestId();
        job.provider = providerName;
        job.customerId = adapter.customerId(request);
        job.model = adapter.model(request);
        job.request = request;
        job.source = item.source();
        Flow.next(ex, board.accept(job) ? Next.WAIT : Next.DUPLICATE);
    }

    /** Every local rule, cheapest first; the image is fetched only when all else is fine. */
    private Rejection check(ObjectNode request) {
        JsonNode p = request.get("provider");
        if (p != null && !p.isNull() && (!p.isTextual() || board.adapter(p.asText()) == null)) {
            return new Rejection("PROVIDER_NOT_FOUND", "provider " + p + " is not configured; configured: "
                    + board.settings().providers().keySet());
        }
        ProviderAdapter adapter = board.adapter(provider(request));
        Rejection r = adapter.validate(request);
        if (r != null) {
            return r;
        }
        String customer = adapter.customerId(request);
        if (customer != null && !RequestIds.isSafe(customer)) {
            return new Rejection("CUSTOMER_ID_NOT_VALID", "customer_id \"" + customer + "\" cannot name a folder: use 1 to "
                    + "128 letters, digits, '.', '-', '_', '@' or '+', starting with a letter or digit, without '..'");
        }
        if (board.isBanned(customer)) {
            return new Rejection("CUSTOMER_BANNED", "customer '" + customer
                    + "' was banned by the provider; none of its requests are sent");
        }
        Rejection unpriced = board.spend().refuseUnpriced(provider(request), request);
        if (unpriced != null) {
            return unpriced; // spend (issue #6): a cost that cannot be estimated cannot be kept to a budget
        }
        String image = adapter.imageUrl(request);
        if (image != null && images != null) {
            return images.check(image);
        }
        return null;
    }

    private String provider(ObjectNode request) {
        JsonNode p = request.get("provider");
        return p == null || p.isNull() ? board.settings().defaultProvider() : p.asText();
    }
}
