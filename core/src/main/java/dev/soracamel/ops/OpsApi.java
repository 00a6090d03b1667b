package dev.soracamel.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.Props;
import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.ProviderView;
import dev.soracamel.intake.RequestIds;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.progress.ProgressReport;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bean behind {@code routes/standalone/85-ops.yaml}: the operator page (three files from this jar) and the
 * JSON it polls. Every figure comes from the job board's queries, the same ones the log's progress line and the
 * health checks read; a refresh reads counts and one page of jobs, never every job on record.
 */
public class OpsApi {

    private static final Logger LOG = LoggerFactory.getLogger("sora.ops");

    /** The page's files: a fixed list, so no path from a URL ever names a resource. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "ops.js", "text/javascript; charset=utf-8",
            "ops.css", "text/css; charset=utf-8");
    /** The page loads nothing from anywhere else, and nothing may frame it. */
    private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
            + "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final int PROMPT_CHARS = 300;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

    private final JobBoard board;
    private final ObjectMapper json;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Settings settings;

    /**
     * @param refresh      how often the page polls
     * @param pageSize     jobs in a page unless ?limit= asks otherwise
     * @param pageMax      the most ?limit= may ask
     * @param chunkBytes   the most one ranged answer of a video carries (and holds in memory)
     * @param customers    customers listed under today's spend (those with the most committed)
     */
    public record Settings(Duration refresh, int pageSize, int pageMax, int chunkBytes, int customers) {

        /** Read from {@code sora.ops.*}, with the option catalog's defaults. */
        public static Settings read(Props p) {
            Settings s = new Settings(p.duration("sora.ops.refresh"), p.integer("sora.ops.page-size"),
                    p.integer("sora.ops.page-max"), p.integer("sora.ops.video-chunk-bytes"),
                    p.integer("sora.ops.spend-customers"));
            if (s.pageMax < 1 || s.pageMax > 100 || s.pageSize < 1 || s.pageSize > s.pageMax) {
                throw new IllegalStateException(p.key("sora.ops.page-size") + " and " + p.key("sora.ops.page-max")
                        + " must satisfy 1 <= page-size <= page-max <= 100");
            }
            if (s.chunkBytes < 65536 || s.chunkBytes > 16 * 1024 * 1024) {
                throw new IllegalStateException(p.key("sora.ops.video-chunk-bytes") + " must be from 65536 to 16777216");
            }
            if (s.refresh.toMillis() < 500 || s.customers < 1 || s.customers > 1000) {
                throw new IllegalStateException(p.key("sora.ops.refresh") + " must be at least 500ms and "
                        + p.key("sora.ops.spend-customers") + " from 1 to 1000");
            }
            return s;
        }
    }

    public OpsApi(JobBoard board, ObjectMapper json, Settings settings) {
        this.board = board;
        this.json = json;
        this.settings = settings;
        for (String name : FILES.keySet()) {
            try (InputStream in = OpsApi.class.getResourceAsStream("/dev/soracamel/ops/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("the operator page's " + name + " is not in the jar");
                }
                files.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---------------------------------------------------------------- the page's files

    /** GET /ops/ and /ops/{file}: one of the page's own files, or 404. */
    public void file(Exchange ex) throws JsonProcessingException {
        Message m = ex.getMessage();
        String name = m.getHeader("file", String.class);
        String path = m.getHeader(Exchange.HTTP_PATH, String.class);
        if (name == null) {
            String uri = m.getHeader(Exchange.HTTP_URI, String.class);
            String p = uri == null ? "" : uri.replaceAll("[?#].*", "");
            if (!p.endsWith("/")) {
                // the page names its files relative to itself: /ops must become /ops/
                m.getHeaders().clear();
                m.setHeader(Exchange.HTTP_RESPONSE_CODE, 302);
                m.setHeader("Location", p.substring(p.lastIndexOf('/') + 1) + "/");
                m.setBody("");
                return;
            }
            name = "index.html";
        }
        byte[] body = files.get(name);
        if (body == null) {
            respond(ex, 404, error("NOT_FOUND", "the operator page has no file " + quote(name == null ? path : name)));
            return;
        }
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(Exchange.CONTENT_TYPE, FILES.get(name));
        guard(m);
        m.setBody(body);
    }

    // ---------------------------------------------------------------- GET /ops/api/summary

    /** The last summary and when it was made (System.nanoTime), shared by every open page. */
    private byte[] summary;
    private long summaryAt;

    /**
     * Accounts, progress and today's spend: what the top of the page shows. Made at most once per half refresh
     * interval, however many pages are open: the counts behind it read every job's row on PostgreSQL.
     */
    public void summary(Exchange ex) throws JsonProcessingException {
        byte[] body;
        synchronized (this) {
            long now = System.nanoTime();
            if (summary == null || now - summaryAt > settings.refresh().toNanos() / 2) {
                summary = json.writeValueAsBytes(makeSummary());
                summaryAt = now;
            }
            body = summary;
        }
        respondJson(ex, 200, null);
        ex.getMessage().setBody(body);
    }

    private Map<String, Object> makeSummary() {
        var q = board.queries();
        var snapshot = q.snapshot();
        Map<String, Object> counts = snapshot.counts();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", board.repository().now());
        out.put("node", board.repository().node());
        out.put("refresh_ms", settings.refresh().toMillis());
        out.put("page_size", settings.pageSize());
        out.put("page_max", settings.pageMax());
        // the log's progress line, from the same counts
        out.put("progress", counts);
        out.put("progress_line", ProgressReport.format(counts));
        List<Map<String, Object>> providers = new ArrayList<>();
        for (ProviderView v : snapshot.providers()) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", v.name());
            p.put("active", v.active());
            p.put("limit", v.limit());
            p.put("queued", v.queued());
            p.put("polling", v.polling());
            p.put("api_calls_last_minute", board.apiCallsLastMinute(v.name()));
            p.put("downloads_last_minute", board.downloadsLastMinute(v.name()));
            p.put("paused", v.paused());
            p.put("pause_code", v.pauseCode());
            p.put("pause_message", v.pauseMessage());
            p.put("paused_since", v.pausedSince());
            // when the account's classes of task are first checked, as learned (provider seconds)
            List<Map<String, Object>> learned = new ArrayList<>();
            double scale = board.settings().timeScale();
            board.queries().learned(v.name()).forEach((cls, c) -> {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("class", cls);
                l.put("first_check_s", c.progress || c.firstCheckMs == null ? null
                        : Math.round(c.firstCheckMs / scale / 100.0) / 10.0);
                l.put("from_progress", c.progress);
                l.put("first_checks", c.firstChecks);
                l.put("first_checks_done", c.firstCheckHits);
                learned.add(l);
            });
            p.put("learned", learned);
            providers.add(p);
        }
        out.put("providers", providers);
        out.put("spend", q.spendToday(settings.customers()));
        return out;
    }

    // ---------------------------------------------------------------- GET /ops/api/jobs

    /** One page of jobs, newest first: ?state=DEAD (or several, comma separated), ?before=<cursor>, ?limit=. */
    public void jobs(Exchange ex) throws JsonProcessingException {
        Message m = ex.getMessage();
        Set<JobState> states;
        try {
            states = JobState.parseList(m.getHeader("state", String.class));
        } catch (IllegalArgumentException e) {
            respond(ex, 400, error("STATE_NOT_VALID", "state " + quote(e.getMessage()) + " is not one of "
                    + List.of(JobState.values())));
            return;
        }
        Long before = null;
        String beforeParam = m.getHeader("before", String.class);
        if (beforeParam != null && !beforeParam.isBlank()) {
            before = positive(beforeParam, Long.MAX_VALUE);
            if (before == null) {
                respond(ex, 400, error("BEFORE_NOT_VALID", "before must be a cursor from a previous page (a whole "
                        + "number from 1); got " + quote(beforeParam)));
                return;
            }
        }
        int limit = settings.pageSize();
        String limitParam = m.getHeader("limit", String.class);
        if (limitParam != null && !limitParam.isBlank()) {
            Long l = positive(limitParam, settings.pageMax());
            if (l == null) {
                respond(ex, 400, error("LIMIT_NOT_VALID", "limit must be a whole number from 1 to "
                        + settings.pageMax() + " (sora.ops.page-max); got " + quote(limitParam)));
                return;
            }
            limit = l.intValue();
        }
        List<Job> page = board.queries().page(states, before, limit);
        List<Map<String, Object>> rows = new ArrayList<>(page.size());
        for (Job j : page) {
            rows.add(row(j));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("states", states);
        out.put("limit", limit);
        out.put("jobs", rows);
        // a full page may have more behind it; the next page starts after its last job
        out.put("next_before", page.size() == limit ? page.get(page.size() - 1).seq : null);
        respondJson(ex, 200, out);
    }

    private static Long positive(String s, long max) {
        String t = s.strip();
        if (!t.matches("\\d{1,19}")) {
            return null;
        }
        try {
            long v = Long.parseLong(t);
            return v >= 1 && v <= max ? v : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** One job as the page lists it. Prompts and the provider's comments are text from outside: the page sets them as text. */
    static Map<String, Object> row(Job j) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("job_id", j.requestId);
        v.put("cursor", j.seq);
        v.put("state", j.state.name());
        v.put("provider", j.provider);
        v.put("customer_id", j.customerId);
        v.put("model", j.model);
        String prompt = j.request == null ? null : j.request.path("prompt").asText(null);
        if (prompt != null && prompt.length() > PROMPT_CHARS) {
            prompt = prompt.substring(0, PROMPT_CHARS) + "…";
        }
        v.put("prompt", prompt);
        v.put("task_id", j.taskId);
        v.put("last_status", j.lastStatus);
        v.put("status_checks", j.statusChecks);
        v.put("accepted_at", j.acceptedAt);
        v.put("submitted_at", j.submittedAt);
        v.put("completed_at", j.completedSeenAt);
        var finished = j.state == JobState.STORED ? j.storedAt : j.state == JobState.DEAD ? j.deadAt : null;
        v.put("finished_at", finished);
        v.put("seconds", j.acceptedAt == null ? null : Duration.between(j.acceptedAt,
                finished != null ? finished : java.time.Instant.now()).toMillis() / 1000.0);
        v.put("estimated_cost", j.estimatedCost);
        v.put("currency", j.currency);
        if (j.state == JobState.STORED) {
            boolean s3 = j.storedLocation != null && j.storedLocation.startsWith("s3://");
            v.put("video", Map.of("bytes", j.videoBytes == null ? 0 : j.videoBytes, "in_s3", s3));
        }
        DeadLetter d = j.deadLetter;
        if (j.state == JobState.DEAD) {
            String code = d != null ? d.code() : j.deadCode;
            DeadReasons.Reason local = DeadReasons.of(code);
            Map<String, Object> dead = new LinkedHashMap<>();
            dead.put("code", code);
            dead.put("message", d == null ? null : d.message());
            dead.put("http_status", d == null ? null : d.httpStatus());
            // the provider's own words first; ours where it gave none
            dead.put("comment_en", d == null ? null : d.commentEn());
            dead.put("comment_ru", d == null ? null : d.commentRu());
            dead.put("reason_en", local.en());
            dead.put("reason_ru", local.ru());
            v.put("dead_letter", dead);
        }
        if (!j.history.isEmpty()) {
            Job.Event e = j.history.get(j.history.size() - 1);
            v.put("last_event", e.event() + (e.detail() == null ? "" : ": " + e.detail()));
        }
        return v;
    }

    // ---------------------------------------------------------------- GET /ops/api/jobs/{id}/video

    /**
     * The stored video of a job, from the local store only, found through the job's record (the URL names a
     * job, never a file). Ranged: a seek asks for the bytes it needs and gets at most
     * {@code sora.ops.video-chunk-bytes} of them; without a Range the file is streamed, never read whole.
     */
    public void video(Exchange ex) throws IOException {
        Message m = ex.getMessage();
        String id = m.getHeader("id", String.class);
        String range = m.getHeader("Range", String.class);
        Job job = RequestIds.isSafe(id) ? board.find(id).orElse(null) : null;
        if (job == null || job.state != JobState.STORED || job.storedLocation == null) {
            respond(ex, 404, error("VIDEO_NOT_FOUND", "no stored video for job " + quote(id)));
            return;
        }
        if (job.storedLocation.startsWith("s3://")) {
            respond(ex, 409, error("VIDEO_IN_S3", "the video is stored in S3 (" + job.storedLocation
                    + "); the page plays videos of the local store only"));
            return;
        }
        Path file = localFile(job.storedLocation);
        if (file == null) {
            LOG.warn("job {}: its stored video {} is not a regular file inside the outbox {} (moved, or a link): "
                    + "not served", job.requestId, dev.soracamel.text.Untrusted.esc(job.storedLocation),
                    board.settings().outbox());
            respond(ex, 404, error("VIDEO_NOT_FOUND", "the stored video of job " + quote(id)
                    + " is not in the local store any more"));
            return;
        }
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        boolean handedOver = false;
        try {
            long size = ch.size();
            if (range == null || range.isBlank()) {
                m.getHeaders().clear();
                m.setHeader(Exchange.HTTP_RESPONSE_CODE, 200);
                videoHeaders(m);
                // streamed by the server in small buffers, which closes the stream at the end
                m.setBody(Channels.newInputStream(ch));
                handedOver = true;
                return;
            }
            Matcher r = RANGE.matcher(range.strip());
            long start;
            long end;
            if (!r.matches() || (r.group(1).isEmpty() && r.group(2).isEmpty()) || size == 0) {
                unsatisfiable(ex, size, range);
                return;
            }
            try {
                if (r.group(1).isEmpty()) {
                    long suffix = Long.parseLong(r.group(2));
                    if (suffix == 0) {
                        unsatisfiable(ex, size, range);
                        return;
                    }
                    start = Math.max(0, size - suffix);
                    end = size - 1;
                } else {
                    start = Long.parseLong(r.group(1));
                    end = r.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(r.group(2)), size - 1);
                }
            } catch (NumberFormatException e) {
                unsatisfiable(ex, size, range);
                return;
            }
            if (start >= size || end < start) {
                unsatisfiable(ex, size, range);
                return;
            }
            end = Math.min(end, start + settings.chunkBytes() - 1);
            ByteBuffer buf = ByteBuffer.allocate((int) (end - start + 1));
            while (buf.hasRemaining()) {
                if (ch.read(buf, start + buf.position()) < 0) {
                    break;
                }
            }
            byte[] body = new byte[buf.position()];
            buf.flip();
            buf.get(body);
            m.getHeaders().clear();
            m.setHeader(Exchange.HTTP_RESPONSE_CODE, 206);
            videoHeaders(m);
            m.setHeader("Content-Range", "bytes " + start + "-" + (start + body.length - 1) + "/" + size);
            m.setBody(body);
        } finally {
            if (!handedOver) {
                ch.close();
            }
        }
    }

    private void unsatisfiable(Exchange ex, long size, String range) throws JsonProcessingException {
        respond(ex, 416, error("RANGE_NOT_SATISFIABLE", "the video has " + size + " bytes; range " + quote(range)
                + " is not one range inside it (bytes=start-end, bytes=start- or bytes=-suffix)"));
        ex.getMessage().setHeader("Content-Range", "bytes */" + size);
    }

    private static void videoHeaders(Message m) {
        m.setHeader(Exchange.CONTENT_TYPE, "video/mp4");
        m.setHeader("Accept-Ranges", "bytes");
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("X-Content-Type-Options", "nosniff");
    }

    /**
     * The record's location as a file inside the outbox that no link leads to or through, or null. Checked part
     * by part from the outbox down, then opened without following a link, so a link made later fails the open.
     */
    Path localFile(String location) {
        try {
            Path outbox = board.settings().outbox().toAbsolutePath().normalize();
            Path p = Path.of(location).toAbsolutePath().normalize();
            if (!p.startsWith(outbox) || p.equals(outbox)) {
                return null;
            }
            // the outbox itself may be a link an operator made; below it, nothing may be
            Path cur = outbox.toRealPath();
            for (Path part : outbox.relativize(p)) {
                cur = cur.resolve(part);
                if (Files.isSymbolicLink(cur)) {
                    return null;
                }
            }
            return Files.isRegularFile(cur, LinkOption.NOFOLLOW_LINKS) ? cur : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- errors and answers

    /** Anything nobody foresaw: 500 with a sentence; the exception goes to the log only. */
    public void failed(Exchange ex) throws JsonProcessingException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.error("operator page request failed: {}", dev.soracamel.text.Untrusted.esc(e), e);
        respond(ex, 500, error("INTERNAL_ERROR", "the request could not be handled because of an internal error "
                + "(the log says which)"));
    }

    private void respond(Exchange ex, int status, Object body) throws JsonProcessingException {
        respondJson(ex, status, body);
    }

    private void respondJson(Exchange ex, int status, Object body) throws JsonProcessingException {
        Message m = ex.getMessage();
        m.getHeaders().clear();
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, "application/json");
        m.setHeader("Cache-Control", "no-store");
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setBody(json.writeValueAsBytes(body));
    }

    private static void guard(Message m) {
        m.setHeader("Content-Security-Policy", CSP);
        m.setHeader("X-Content-Type-Options", "nosniff");
        m.setHeader("Referrer-Policy", "no-referrer");
        m.setHeader("Cache-Control", "no-store");
    }

    private static Map<String, Object> error(String code, String message) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("code", code);
        e.put("message", message);
        return e;
    }

    private static String quote(String s) {
        if (s == null) {
            return "(none)";
        }
        String safe = dev.soracamel.text.Untrusted.esc(s);
        return "\"" + (safe.length() > 140 ? safe.substring(0, 140) + "..." : safe) + "\"";
    }
}
