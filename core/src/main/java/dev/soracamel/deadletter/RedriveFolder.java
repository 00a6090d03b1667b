package dev.soracamel.deadletter;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.intake.RequestIds;
import dev.soracamel.text.Untrusted;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The folder form of a redrive: {@code <id>.redrive} dropped into the dead-letter folder (empty, or
 * {@code {"accept_possible_double_payment": true}}) asks what {@code POST /jobs/<id>/redrive} asks. The answer is
 * written beside it as {@code <id>.redrive.done} (redriven, or redriven before) or {@code <id>.redrive.refused} (with
 * the code and why), and the file consumer then deletes the {@code .redrive} file, so it is never read twice.
 * <p>
 * As the intake does, it looks at each entry itself and never through a link: a link, FIFO or device named
 * {@code *.redrive} is not opened; the entry itself is removed (a link's target is left as it is) and the refusal
 * says why. Of a file at most {@code sora.redrive.folder.max-file-bytes} are read.
 */
public class RedriveFolder implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");
    static final String SUFFIX = ".redrive";
    /** Room for the answer's suffix (and a number) within the file system's 255-byte names. */
    private static final int MAX_NAME_BYTES = 200;
    private static final String BAD = "soraRedriveBad";
    /** The file's path: the redrive step clears the message's headers. */
    private static final String FILE = "soraRedriveFile";

    private final ObjectMapper json;
    private final RedriveStep step;
    private final int maxBytes;

    public RedriveFolder(ObjectMapper json, RedriveStep step, int maxBytes) {
        this.json = json;
        this.step = step;
        this.maxBytes = maxBytes;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        Path entry = file.getFile().toPath();
        String name = entry.getFileName().toString();
        if (!name.endsWith(SUFFIX) || name.startsWith(".")) {
            return false;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
        if (a.isDirectory()) {
            return false;
        }
        if (!a.isRegularFile()) {
            refuseUnread(entry, name, a.isSymbolicLink() ? "a symbolic link" : "not a regular file");
            return false;
        }
        return true;
    }

    /** A link or special file: never opened; the entry itself goes, and the answer says why. */
    private void refuseUnread(Path entry, String name, String kind) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("outcome", "bad_request");
        answer.put("code", "NOT_A_REGULAR_FILE");
        answer.put("message", "\"" + Untrusted.esc(name) + "\" is " + kind + ": redrive files are read only when "
                + "they are regular files, never through a link; nothing was read and nothing was redriven. Put the "
                + "file itself into the folder");
        try {
            Files.delete(entry); // the link itself, never what it points at
            write(entry.resolveSibling(resultName(name, false)), answer);
            LOG.warn("redrive file \"{}\" is {}: not read, removed", Untrusted.esc(name), kind);
        } catch (IOException e) {
            LOG.error("redrive file \"{}\" is {} and could not be removed ({}); it is skipped",
                    Untrusted.esc(name), kind, e.getClass().getSimpleName());
        }
    }

    /** The file's job id and flag, read within the byte limit, as the body for {@code direct:<pipeline>-redrive}. */
    public void read(Exchange ex) {
        Message m = ex.getMessage();
        Path file = Path.of(m.getHeader(Exchange.FILE_PATH, String.class));
        ex.setProperty(FILE, file.toString());
        String name = file.getFileName().toString();
        String id = name.substring(0, name.length() - SUFFIX.length());
        String error = null;
        byte[] bytes = new byte[0];
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isRegularFile()) {
                error = "it is no longer a regular file; nothing was read";
            } else if (a.size() > maxBytes) {
                error = "it has " + a.size() + " bytes, more than " + maxBytes + " bytes"
                        + " (sora.redrive.folder.max-file-bytes); it was not read";
            } else {
                try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                    bytes = in.readNBytes(maxBytes + 1);
                }
                if (bytes.length > maxBytes) {
                    error = "it grew past " + maxBytes + " bytes (sora.redrive.folder.max-file-bytes) while it was read";
                }
            }
        } catch (IOException e) {
            error = "it could not be read: " + e.getClass().getSimpleName();
        }
        boolean consent = false;
        String text = error == null ? new String(bytes, StandardCharsets.UTF_8).strip() : "";
        if (error == null && !text.isEmpty()) {
            JsonNode node = RedriveStep.readObject(json, text);
            if (node == null) {
                error = "its content must be empty or a JSON object such as {\"" + RedriveStep.CONSENT + "\": true}";
            } else {
                RedriveStep.Ask ask = RedriveStep.fromObject((ObjectNode) node, false);
                error = ask.error();
                consent = ask.consent();
            }
        }
        if (error != null) {
            Map<String, Object> answer = new LinkedHashMap<>();
            answer.put("outcome", "bad_request");
            answer.put("job_id", RequestIds.isSafe(id) ? id : null);
            answer.put("code", "REDRIVE_NOT_VALID");
            answer.put("message", "redrive file \"" + Untrusted.esc(name) + "\": " + error);
            ex.setProperty(BAD, answer);
            m.setBody(answer);
            return;
        }
        Map<String, Object> ask = new LinkedHashMap<>();
        ask.put("job_id", id);
        ask.put(RedriveStep.CONSENT, consent);
        m.setHeader(RedriveStep.BY, "file " + name);
        m.setBody(ask);
    }

    /** True when the file could be read as a redrive (else its refusal is written without asking the board). */
    public boolean readable(Exchange ex) {
        return ex.getProperty(BAD) == null;
    }

    /** The answer beside the file: {@code .done} when the job is (or already was) redriven, else {@code .refused}. */
    public void done(Exchange ex) throws IOException {
        Map<?, ?> answer = ex.getMessage().getBody(Map.class);
        Path file = Path.of(ex.getProperty(FILE, ex.getMessage().getHeader(Exchange.FILE_PATH), String.class));
        Object outcome = answer == null ? null : answer.get("outcome");
        boolean ok = "redriven".equals(outcome) || "unchanged".equals(outcome);
        Path result = file.resolveSibling(resultName(file.getFileName().toString(), ok));
        write(result, answer);
        LOG.info("redrive file \"{}\": {} ({})", Untrusted.esc(file.getFileName()), outcome, result.getFileName());
    }

    /** A failure nobody foresaw: the answer says so, and the file is not read again. */
    public void failed(Exchange ex) throws IOException {
        Throwable e = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Path file = Path.of(ex.getProperty(FILE, ex.getMessage().getHeader(Exchange.FILE_PATH), String.class));
        LOG.error("redrive file \"{}\" failed: {}", Untrusted.esc(file.getFileName()), Untrusted.esc(e), e);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("outcome", "failed");
        answer.put("code", "INTERNAL_ERROR");
        answer.put("message", "the redrive could not be handled because of an internal error (the log says which); "
                + "look the job up (GET /jobs/<id>) before dropping the file again");
        write(file.resolveSibling(resultName(file.getFileName().toString(), false)), answer);
    }

    /**
     * {@code <name>.done} or {@code <name>.refused}; a name too long for a suffix is shortened to a hash of it; an
     * answer already there (the same id dropped again later) is kept, and the new one gets a number.
     */
    static String resultName(String name, boolean ok) {
        String base = name.getBytes(StandardCharsets.UTF_8).length <= MAX_NAME_BYTES ? name
                : RequestIds.hash(name) + SUFFIX;
        return base + (ok ? ".done" : ".refused");
    }

    /** Written under a hidden name, then renamed: a reader never sees half an answer. */
    private void write(Path target, Object answer) throws IOException {
        Path t = target;
        for (int n = 2; Files.exists(t, LinkOption.NOFOLLOW_LINKS) && n < 1000; n++) {
            t = target.resolveSibling(target.getFileName() + "." + n);
        }
        Path tmp = t.resolveSibling(".writing-" + t.getFileName());
        Files.write(tmp, json.writerWithDefaultPrettyPrinter().writeValueAsBytes(answer));
        try {
            Files.move(tmp, t, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (NoSuchFileException ignored) {
                // gone already
            }
            throw e;
        }
    }
}
