package dev.soracamel.intake;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.flow.Flow;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.Next;
import dev.soracamel.job.Job;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.text.Untrusted;
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

    /** Exchange property: the intake prefix of the S3 intake, so that ids come from the key below it. */
    public static final String S3_PREFIX = "soraIntakePrefix";

    /**
     * Reads an intake file, or an object from the intake bucket, into requests. Of either at most
     * {@code sora.intake.max-file-bytes} are ever read, and what was read is what a dead letter carries: a
     * larger or non-JSON input is rejected whole with its first bytes (the file itself moves to the archive, the
     * object to the processed prefix). A file is opened without following links, and one that cannot be read is
     * a dead letter that says why.
     */
    public List<IntakeItem> read(Exchange ex) throws IOException {
        Message m = ex.getMessage();
        String key = m.getHeader(AWS2S3Constants.KEY, String.class);
        long max = parser.maxFileBytes();
        if (key == null) {
            String name = m.getHeader(Exchange.FILE_NAME_ONLY, String.class);
            if (!isFile(m.getBody())) {
                if (name == null) {
                    // A message from another endpoint has no file name to take a default request_id from: each
                    // gets a fresh one, so two messages without request_id are two jobs (a sender that may resend
                    // gives its own request_id, and a resend is then a duplicate, never a second paid job).
                    name = m.getHeader(Exchange.FILE_NAME, "message-" + java.util.UUID.randomUUID() + ".json", String.class);
                }
                // a message (a queue, a host's direct: endpoint): its bytes are what a dead letter carries
                InputStream in = m.getBody() == null ? InputStream.nullInputStream() : m.getBody(InputStream.class);
                byte[] bytes;
                if (in == null) {
                    byte[] all = m.getBody(byte[].class);
                    bytes = all == null ? new byte[0] : all.length > max ? Arrays.copyOf(all, (int) max + 1) : all;
                } else {
                    try (InputStream s = in) {
                        bytes = s.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
                    }
                }
                return fromBytes(ex, name, name, null, bytes, bytes.length > max ? -1 : bytes.length);
            }
            Path file = m.getBody(File.class).toPath().toAbsolutePath();
            if (name == null) {
                name = file.getFileName().toString();
            }
            return fromFile(ex, name, file);
        }
        if (key.endsWith("/")) {
            // a "folder" made in an S3 console: an empty marker object, not a request; it moves on with the rest
            return List.of();
        }
        byte[] head = readAtMost(m.getBody(InputStream.class), max, key);
        long size = m.getHeader(AWS2S3Constants.CONTENT_LENGTH, (long) head.length, Long.class);
        String prefix = ex.getProperty(S3_PREFIX, "", String.class);
        String below = key.startsWith(prefix) && key.length() > prefix.length() ? key.substring(prefix.length()) : key;
        String bucket = m.getHeader(AWS2S3Constants.BUCKET_NAME, String.class);
        String origin = "s3://" + (bucket == null ? "" : bucket) + "/" + key;
        return fromBytes(ex, below, key, origin, head, size > head.length ? size : head.length);
    }

    /**
     * @param size the whole input's size when known to be larger than what was read, else the bytes' length;
     *             -1 for "larger than the limit, size unknown"
     */
    private List<IntakeItem> fromBytes(Exchange ex, String name, String source, String origin, byte[] head, long size) {
        long max = parser.maxFileBytes();
        byte[] kept = head.length > max ? Arrays.copyOf(head, (int) max) : head;
        ex.setProperty(INTAKE_FILE, kept);
        long told = size < 0 ? max + 1 : size;
        List<IntakeItem> items = parser.parse(name, source, told, () -> kept);
        boolean cut = size < 0 || size > kept.length;
        return items.stream().map(i -> {
            IntakeItem it = origin == null ? i : i.withOrigin(origin);
            if (cut && it.rejection() != null && it.original() == null) {
                it = it.reject(new Rejection(it.rejection().code(), it.rejection().message() + " (the dead letter keeps "
                        + "its first " + kept.length + " bytes, sora.intake.max-file-bytes; the whole input moves on "
                        + "to the archive or the processed prefix)"));
            }
            return it;
        }).toList();
    }

    private List<IntakeItem> fromFile(Exchange ex, String name, Path file) {
        long max = parser.maxFileBytes();
        byte[] head;
        long size;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                // swapped in after the inbox filter looked: still never opened
                return unreadable(ex, name, file, "it is not a regular file (a link, FIFO or device)");
            }
            size = a.size();
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                head = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 8));
            }
        } catch (java.nio.file.AccessDeniedException e) {
            return unreadable(ex, name, file, "permission denied");
        } catch (java.nio.file.NoSuchFileException e) {
            return unreadable(ex, name, file, "it disappeared before it could be read");
        } catch (java.nio.file.FileSystemException e) {
            return unreadable(ex, name, file, e.getReason() == null ? "the file system refused" : e.getReason());
        } catch (IOException e) {
            return unreadable(ex, name, file, "a read error");
        }
        return fromBytes(ex, name, name, file.toString(), head, Math.max(size, head.length));
    }

    private List<IntakeItem> unreadable(Exchange ex, String name, Path file, String why) {
        byte[] note = ("(nothing could be read from \"" + Untrusted.esc(file) + "\": " + why + ")\n")
                .getBytes(StandardCharsets.UTF_8);
        ex.setProperty(INTAKE_FILE, note);
        return List.of(new IntakeItem(RequestIds.fromFileName(name), null, note, name, new Rejection("FILE_NOT_READABLE",
                "\"" + Untrusted.esc(file) + "\" could not be read (" + why + "); it moves to the archive as it is. "
                        + "Fix it and put it into the inbox again"), file.toString(), false));
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
            throw new IOException("could not read S3 object " + Untrusted.esc(key) + "; it stays in the intake and is "
                    + "read again at the next poll: " + e.getClass().getSimpleName(), e);
        }
    }

    public void accept(Exchange ex) {
        IntakeItem item = ex.getMessage().getBody(IntakeItem.class);
        Job earlier = item.rejection() == null ? board.find(item.requestId()).orElse(null) : null;
        if (earlier != null && item.derivedId() && earlier.source != null && !earlier.source.equals(item.source())) {
            // An id made from a name ("a.json", element 1, is a-1) met a job of another input with that id ("a-1.json"):
            // not a resend of the same input, so it gets an id of its own, made from its source. The same input read
            // again (after a crash) makes the same id again and is still a duplicate.
            String stem = item.requestId().length() > 110 ? item.requestId().substring(0, 110) : item.requestId();
            String own = stem + "+" + RequestIds.hash(item.source() + "#" + item.requestId());
            LOG.info("request {} from {}: request id {} belongs to a job from {}; this one becomes {}",
                    item.requestId(), Untrusted.esc(item.source()), item.requestId(), Untrusted.esc(earlier.source), own);
            item = item.withId(own);
            earlier = board.find(own).orElse(null);
        }
        ex.setProperty(Flow.ITEM, item);
        if (earlier != null) {
            LOG.warn("request {} from {} is a duplicate: that request_id was accepted from {} at {}; "
                    + "it is not submitted again", item.requestId(), Untrusted.esc(item.source()),
                    Untrusted.esc(earlier.source), earlier.acceptedAt);
            Flow.next(ex, Next.DUPLICATE);
            return;
        }
        boolean callerWaits = Boolean.TRUE.equals(ex.getProperty(RequestReply.CALLER_WAITS, Boolean.class));
        Rejection why = item.rejection() != null ? item.rejection() : check(item.request(), !callerWaits);
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
    private Rejection check(ObjectNode request, boolean mayWait) {
        JsonNode p = request.get("provider");
        if (p != null && !p.isNull() && (!p.isTextual() || board.adapter(p.asText()) == null)) {
            return new Rejection("PROVIDER_NOT_FOUND", "provider " + Untrusted.esc(p) + " is not configured; configured: "
                    + board.settings().providers().keySet());
        }
        ProviderAdapter adapter = board.adapter(provider(request));
        Rejection r = adapter.validate(request);
        if (r != null) {
            return r;
        }
        String customer = adapter.customerId(request);
        if (customer != null && !RequestIds.isSafe(customer)) {
            return new Rejection("CUSTOMER_ID_NOT_VALID", "customer_id \"" + Untrusted.esc(customer) + "\" cannot name a folder: use 1 to "
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
            return images.check(image, mayWait);
        }
        return null;
    }

    private String provider(ObjectNode request) {
        JsonNode p = request.get("provider");
        return p == null || p.isNull() ? board.settings().defaultProvider() : p.asText();
    }
}
