package dev.soracamel.flow;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.job.Job;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;

/**
 * The store route's bean: names the video and its metadata file ({@code <customer_id>/<request_id>.mp4}
 * and {@code .json}) for whatever storage endpoint is configured (CamelFileName for a folder, CamelAwsS3Key
 * under the configured prefix for S3), and records the job as stored.
 */
public class StoreStep {

    /** Folder for jobs that carry no customer id (some providers do not need one). */
    static final String NO_CUSTOMER = "_no-customer";

    private final JobBoard board;
    private final DownloadStep downloads;
    private final ObjectMapper json;
    private final String keyPrefix;

    /** @param keyPrefix S3 key prefix of stored videos ({@code sora.store.s3.prefix}, normalized) */
    public StoreStep(JobBoard board, DownloadStep downloads, ObjectMapper json, String keyPrefix) {
        this.board = board;
        this.downloads = downloads;
        this.json = json;
        this.keyPrefix = keyPrefix;
    }

    /** Ids were checked to be safe names at intake, so the name cannot leave the storage folder. */
    static String folder(Job job) {
        return job.customerId == null ? NO_CUSTOMER : job.customerId;
    }


    /** A store taken up again (after a restart, a storage outage or another node's death): from the work file. */
    public void resume(Exchange ex) {
        Job job = Flow.job(ex);
        java.nio.file.Path part = job.downloadedFile == null ? null : java.nio.file.Path.of(job.downloadedFile);
        if (part != null && Files.isRegularFile(part)) {
            DownloadStep.storeFrom(ex, part, job.videoBytes == null ? -1 : job.videoBytes);
        } else {
            // the video went into storage before its metadata did: only the metadata is left to write
            ex.setProperty("soraVideoBytes", job.videoBytes);
            ex.getMessage().getHeaders().clear();
            ex.getMessage().setBody(null);
        }
    }

    public void video(Exchange ex) {
        Job job = Flow.job(ex);
        if (!board.delivery().storing(job)) {
            ex.setRouteStop(true); // another node has the job: its own download is stored, not this one
            return;
        }
        boolean fileThere = job.downloadedFile != null && Files.isRegularFile(java.nio.file.Path.of(job.downloadedFile));
        ex.setProperty(VIDEO_DONE, !fileThere && job.videoLocation != null);
        Flow.storageName(ex, keyPrefix, folder(job) + "/" + job.requestId + ".mp4", "video/mp4");
    }

    /** Set when the video is already in storage and only its metadata is written. */
    static final String VIDEO_DONE = "soraVideoDone";

    /** The video is in storage: recorded, so that a store tried again writes only the metadata. */
    public void videoWritten(Exchange ex) {
        Job job = Flow.job(ex);
        if (!board.delivery().videoWritten(job, location(ex.getMessage()))) {
            ex.setRouteStop(true);
        }
    }

    /** Storage refused the video or its metadata after the quick retries: wait, or give up after long enough. */
    public void failed(Exchange ex) {
        Job job = Flow.job(ex);
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (job == null) {
            Flow.next(ex, Next.WAIT);
            return;
        }
        Flow.next(ex, board.delivery().storeFailed(job, e));
    }

    /** Where the endpoint put the video: the file's path, s3://bucket/key, or at least the name it was given. */
    static String location(Message m) {
        String file = m.getHeader(Exchange.FILE_NAME_PRODUCED, String.class);
        if (file != null) {
            return file;
        }
        String key = m.getHeader(AWS2S3Constants.PRODUCED_KEY, String.class);
        if (key != null) {
            return "s3://" + m.getHeader(AWS2S3Constants.PRODUCED_BUCKET_NAME, String.class) + "/" + key;
        }
        return m.getHeader(Exchange.FILE_NAME, String.class);
    }

    public void metadata(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        String location = job.videoLocation != null ? job.videoLocation : location(ex.getMessage());
        ex.setProperty("soraStoredLocation", location);
        ObjectNode meta = json.valueToTree(job);
        meta.put("state", "STORED");
        meta.put("storedAt", Instant.now().toString());
        meta.put("storedLocation", location);
        meta.put("videoBytes", ex.getProperty("soraVideoBytes", Long.class));
        meta.remove("resultUrl"); // dead within the hour, and a bearer of access while alive
        meta.remove(List.of("nextCheckAt", "seq", "deadLetterWritten", "notifyPending", "version", "account",
                "claimedBy", "claimUntil", "downloadedFile", "videoLocation"));
        ex.getMessage().getHeaders().clear();
        Flow.storageName(ex, keyPrefix, folder(job) + "/" + job.requestId + ".json", "application/json");
        ex.getMessage().setBody(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    }

    public void done(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        if (!board.delivery().stored(job, ex.getProperty("soraStoredLocation", String.class),
                ex.getProperty("soraVideoBytes", Long.class))) {
            ex.setRouteStop(true);
            return;
        }
        board.events().stored(job);
        Files.deleteIfExists(downloads.downloads().resolve(DownloadStep.partName(job)));
        // a file kept for a store that failed long ago, and was stored after all
        Files.deleteIfExists(board.settings().work().resolve("kept").resolve(job.requestId + ".mp4"));
    }
}
