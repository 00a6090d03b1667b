package dev.soracamel.flow;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.job.Job;
import org.apache.camel.Exchange;

/**
 * The store route's bean: names the video and its metadata file ({@code <customer_id>/<request_id>.mp4}
 * and {@code .json}) for whatever storage endpoint is configured, and records the job as stored.
 */
public class StoreStep {

    /** Folder for jobs that carry no customer id (some providers do not need one). */
    static final String NO_CUSTOMER = "_no-customer";

    private final JobBoard board;
    private final DownloadStep downloads;
    private final ObjectMapper json;

    public StoreStep(JobBoard board, DownloadStep downloads, ObjectMapper json) {
        this.board = board;
        this.downloads = downloads;
        this.json = json;
    }

    /** Ids were checked to be safe names at intake, so the name cannot leave the storage folder. */
    static String folder(Job job) {
        return job.customerId == null ? NO_CUSTOMER : job.customerId;
    }

    public void video(Exchange ex) {
        Job job = Flow.job(ex);
        ex.getMessage().setHeader(Exchange.FILE_NAME, folder(job) + "/" + job.requestId + ".mp4");
    }

    public void metadata(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        String location = ex.getMessage().getHeader(Exchange.FILE_NAME_PRODUCED, String.class);
        if (location == null) {
            location = ex.getMessage().getHeader(Exchange.FILE_NAME, String.class);
        }
        ex.setProperty("soraStoredLocation", location);
        ObjectNode meta = json.valueToTree(job);
        meta.put("state", "STORED");
        meta.put("storedAt", Instant.now().toString());
        meta.put("storedLocation", location);
        meta.put("videoBytes", ex.getProperty("soraVideoBytes", Long.class));
        meta.remove("resultUrl"); // dead within the hour, and a bearer of access while alive
        meta.remove(List.of("nextCheckAt", "seq", "deadLetterWritten"));
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setHeader(Exchange.FILE_NAME, folder(job) + "/" + job.requestId + ".json");
        ex.getMessage().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    }

    public void done(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        board.stored(job, ex.getProperty("soraStoredLocation", String.class),
                ex.getProperty("soraVideoBytes", Long.class));
        Files.deleteIfExists(downloads.downloads().resolve(DownloadStep.partName(job)));
    }
}
