package dev.soracamel.intake;

import java.io.File;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake routes' bean: reads a request file into requests, and accepts each one that passes every
 * local check into the queue. Nothing here calls the provider.
 */
public class IntakeStep {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");
    /** The intake file itself, for a dead letter that must carry the file as it came. */
    public static final String INTAKE_FILE = "soraIntakeFile";

    private final JobBoard board;
    private final RequestParser parser;
    private final ImageProbe images;

    public IntakeStep(JobBoard board, RequestParser parser, ImageProbe images) {
        this.board = board;
        this.parser = parser;
        this.images = images;
    }

    public List<IntakeItem> read(Exchange ex) {
        String name = ex.getMessage().getHeader(Exchange.FILE_NAME_ONLY, String.class);
        if (name == null) {
            name = ex.getMessage().getHeader(Exchange.FILE_NAME, "request.json", String.class);
        }
        Long size = ex.getMessage().getHeader(Exchange.FILE_LENGTH, Long.class);
        File file = ex.getMessage().getBody(File.class);
        ex.setProperty(INTAKE_FILE, file);
        return parser.parse(name, size == null ? 0 : size, () -> ex.getMessage().getBody(byte[].class));
    }

    public void accept(Exchange ex) {
        IntakeItem item = ex.getMessage().getBody(IntakeItem.class);
        ex.setProperty(Flow.ITEM, item);
        if (item.rejection() == null && board.find(item.requestId()).isPresent()) {
            Job earlier = board.find(item.requestId()).get();
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
