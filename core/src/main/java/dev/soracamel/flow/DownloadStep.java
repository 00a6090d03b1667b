package dev.soracamel.flow;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import dev.soracamel.job.Job;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.component.file.GenericFileOperationFailedException;
import org.apache.camel.http.base.HttpOperationFailedException;

/**
 * The download route's bean. The result link lives 60 minutes, so the video is fetched as soon as the
 * task completes, streamed to a part file (never held in memory), checked to be an MP4 of the announced
 * length, and retried while the link can still be alive. It is also the retry policy of that route.
 */
public class DownloadStep implements Predicate {

    /** The link is known to be dead: retrying cannot help. */
    public static class LinkExpiredException extends IOException {
        public LinkExpiredException(String message) {
            super(message);
        }
    }

    /** What arrived is not the whole video. */
    public static class BadVideoException extends IOException {
        private final String code;

        public BadVideoException(String code, String message) {
            super(message);
            this.code = code;
        }
    }

    private final JobBoard board;
    private final Path downloads;

    public DownloadStep(JobBoard board, Path downloads) {
        this.board = board;
        this.downloads = downloads;
        try {
            Files.createDirectories(downloads);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public Path downloads() {
        return downloads;
    }

    /** Called at the start of every attempt: the exchange may come back from a failed one. */
    public void prepare(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        if (job == null) {
            job = board.find(ex.getMessage().getBody(String.class)).orElseThrow();
            ex.setProperty(Flow.JOB, job);
        }
        if (Instant.now().isAfter(board.delivery().linkDeadline(job))) {
            attemptEnded(ex, job, "failed");
            throw new LinkExpiredException("the result link expired at " + board.delivery().linkDeadline(job));
        }
        attemptEnded(ex, job, "retry");
        if (!board.delivery().downloadStarting(job)) {
            ex.setRouteStop(true); // another node took the download over while this one stalled
            return;
        }
        ex.setProperty(ATTEMPT, true);
        ex.setProperty("soraPartName", partName(job));
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
        ex.getMessage().setHeader(Exchange.HTTP_URI, job.resultUrl);
        ex.getMessage().setBody(null);
        var provider = board.settings().provider(job.provider);
        if (provider != null && provider.hasToken() && sameOrigin(job.resultUrl, provider.baseUrl())) {
            // the provider's own /content endpoint wants the token; a CDN link elsewhere never gets it
            ex.getMessage().setHeader("Authorization", "Bearer " + provider.token());
        }
    }

    /**
     * Between the HTTP call and the part file: the body may take at most {@code sora.download.timeout}, and never
     * past the link's end of life (a transfer that finishes after it is of no use), and may hold at most
     * {@code sora.download.max-bytes}.
     */
    public void bound(Exchange ex) {
        Job job = Flow.job(ex);
        InputStream in = ex.getMessage().getBody(InputStream.class);
        if (in == null) {
            return;
        }
        java.time.Duration timeout = board.settings().downloadTimeout();
        Instant byTimeout = Instant.now().plus(timeout);
        Instant link = board.delivery().linkDeadline(job);
        Instant until = link.isBefore(byTimeout) ? link : byTimeout;
        long left = java.time.Duration.between(Instant.now(), until).toNanos();
        String text = link.isBefore(byTimeout) ? "the result link expires at " + link
                : "sora.download.timeout=" + timeout;
        ex.getMessage().setBody(new BoundedStream(in, System.nanoTime() + Math.max(0, left),
                board.settings().downloadMaxBytes(), text));
    }

    public void verify(Exchange ex) throws IOException {
        Job job = Flow.job(ex);
        Path part = downloads.resolve(partName(job));
        long size = Files.size(part);
        Long announced = ex.getMessage().getHeader("Content-Length", Long.class);
        if (announced != null && announced != size) {
            throw new BadVideoException("DOWNLOAD_INCOMPLETE", "the download stopped at " + size + " of " + announced
                    + " announced bytes");
        }
        if (!isMp4(part)) {
            throw new BadVideoException("NOT_AN_MP4", "the result link returned " + size
                    + " bytes that are not an MP4 (no ftyp box)");
        }
        attemptEnded(ex, job, "ok");
        if (!board.delivery().downloaded(job, part, size)) {
            ex.setRouteStop(true); // another node took the job over while this one downloaded
            return;
        }
        storeFrom(ex, part, size);
    }

    /** The store route's input: the checked video in the work folder. */
    static void storeFrom(Exchange ex, Path part, long size) {
        ex.setProperty("soraVideoBytes", size);
        ex.getMessage().getHeaders().clear();
        ex.getMessage().setBody(part.toFile());
        // Tells a file storage endpoint that the body is a local work file it may rename into place rather
        // than write a second copy (the benchmark measured the copy at half the time of a 1 GB store);
        // other endpoints (S3) ignore it and stream the file.
        ex.getMessage().setHeader(Exchange.FILE_LOCAL_WORK_PATH, part.toString());
    }

    /** An MP4 (ISO base media file) starts with a box whose type, bytes 4 to 8, is "ftyp". */
    static boolean isMp4(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(8);
            return head.length == 8 && head[4] == 'f' && head[5] == 't' && head[6] == 'y' && head[7] == 'p';
        }
    }

    /** Retry policy of the download route: try again while it can help and the link can be alive. */
    @Override
    public boolean matches(Exchange ex) {
        Job job = Flow.job(ex);
        Exception e = ex.getException();
        if (job == null || e instanceof LinkExpiredException || linkGone(e) || tooLarge(e)) {
            return false;
        }
        return job.downloadAttempts < board.settings().downloadAttempts()
                && Instant.now().isBefore(board.delivery().linkDeadline(job));
    }

    private static boolean tooLarge(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BoundedStream.TooLarge) {
                return true;
            }
        }
        return false;
    }

    private static boolean linkGone(Throwable e) {
        return e instanceof HttpOperationFailedException h
                && (h.getStatusCode() == 403 || h.getStatusCode() == 404 || h.getStatusCode() == 410);
    }

    /** After the last attempt: the job goes to the dead-letter channel with what went wrong. */
    public void failed(Exchange ex) {
        Job job = Flow.job(ex);
        attemptEnded(ex, job, "failed");
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String code;
        if (e instanceof LinkExpiredException || linkGone(e)) {
            code = "RESULT_LINK_EXPIRED";
        } else if (e instanceof BadVideoException b) {
            code = b.code;
        } else if (tooLarge(e)) {
            code = "DOWNLOAD_TOO_LARGE";
        } else {
            code = "DOWNLOAD_FAILED";
        }
        boolean mine = board.fail(job, code, "the video could not be downloaded after " + job.downloadAttempts
                + " attempts: " + (e == null ? "unknown error" : e.getMessage()));
        ex.setException(null);
        if (!mine) {
            ex.setRouteStop(true); // another node has the job now
            return;
        }
        try {
            Files.deleteIfExists(downloads.resolve(partName(job)));
        } catch (IOException ignored) {
            // a stale part file is overwritten by the next download of the same id
        }
    }

    /**
     * observe: an attempt (a GET of the video) is open on the exchange from {@link #prepare} until it is
     * verified; one still open when the next attempt starts, or when the route gives up, failed.
     */
    private static final String ATTEMPT = "soraDownloadAttempt";

    private void attemptEnded(Exchange ex, Job job, String outcome) {
        if (Boolean.TRUE.equals(ex.removeProperty(ATTEMPT))) {
            Throwable error = "ok".equals(outcome) ? null
                    : ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class) != null
                    ? ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class) : ex.getException();
            board.events().downloadAttempt(job, outcome, answeredStatus(ex, error), error);
        }
    }

    /**
     * The status the link answered with, 0 for none. A redelivery restores the message, so a failed attempt's
     * status is read from its error: a refusal carries it; a body that broke while being written to the part
     * file, or was not a whole MP4, came after a success (200 stands for it).
     */
    private static int answeredStatus(Exchange ex, Throwable error) {
        if (error == null) {
            Integer status = ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
            return status == null ? 200 : status;
        }
        if (error instanceof HttpOperationFailedException h) {
            return h.getStatusCode();
        }
        return error instanceof BadVideoException || error instanceof GenericFileOperationFailedException ? 200 : 0;
    }

    static boolean sameOrigin(String url, java.net.URI base) {
        try {
            java.net.URI u = java.net.URI.create(url);
            return base.getScheme().equalsIgnoreCase(u.getScheme()) && base.getHost().equalsIgnoreCase(u.getHost())
                    && port(base) == port(u);
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }

    private static int port(java.net.URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    static String partName(Job job) {
        return job.requestId + ".mp4.part";
    }
}
