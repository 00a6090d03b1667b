package dev.soracamel.intake;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import dev.soracamel.flow.Flow;
import dev.soracamel.text.Untrusted;
import dev.soracamel.validate.Rejection;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbox folder's filter: decides, for every entry the file consumer lists, before any read lock or read,
 * whether the intake may take it. It only ever looks at an entry's own attributes (never through a link), so
 * nothing an entry points at is opened, and nothing can hold the consumer:
 * <ul>
 *   <li>names still being written (hidden, {@code .tmp}, {@code .part}, ...) are left alone, as before;</li>
 *   <li>a symbolic link, FIFO, socket or device is no request file: it is dead-lettered as
 *       {@code NOT_A_REGULAR_FILE} with its full path in the reason, and the entry itself (the link, not its
 *       target) moves to the archive; its target is never read, copied or changed. A FIFO would otherwise
 *       block the intake until someone wrote to it;</li>
 *   <li>a name the file consumer cannot carry is renamed in place to one it can, keeping a hash of the old
 *       name (so the request id stays its own) and saying so in the log: a backslash (the consumer reads it as
 *       a folder separator and never finds the file) or more than {@value #MAX_NAME_BYTES} bytes (the read
 *       lock's marker and the archive's time suffix would pass the file system's 255-byte limit, and the file
 *       would be retried forever).</li>
 * </ul>
 */
public class IntakeGuard implements GenericFileFilter<File> {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");

    /** Names a writer is still working on: hidden, temporary, editor backups. */
    static final Pattern IN_PROGRESS = Pattern.compile("^(\\..*|.*\\.(tmp|part|partial|crdownload|swp)|.*~)$",
            Pattern.DOTALL); // a name may hold a line break: ".x\ny" is still hidden
    /** 255 less the read lock's ".camelLock" marker suffix; the archive's "-HHmmssSSS" fits in the same room. */
    static final int MAX_NAME_BYTES = 245;

    private final CamelContext context;
    private final String deadLetterUri;
    private final Path archive;
    /** Entries that could be neither moved nor removed: reported once, then skipped. */
    private final Set<String> stuck = ConcurrentHashMap.newKeySet();
    private volatile ProducerTemplate producer;

    public IntakeGuard(CamelContext context, String pipeline, Path archive) {
        this.context = context;
        this.deadLetterUri = "direct:" + pipeline + "-dead-letter";
        this.archive = archive;
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        Path entry = file.getFile().toPath();
        String name = entry.getFileName().toString();
        if (IN_PROGRESS.matcher(name).matches()) {
            return false;
        }
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // cannot even look at it: let the intake try, which dead-letters what it cannot read
            return true;
        }
        if (a.isDirectory()) {
            return false;
        }
        if (!a.isRegularFile()) {
            quarantine(entry, name, a);
            return false;
        }
        String why = unfit(name);
        if (why != null) {
            rename(entry, name, why);
            return false;
        }
        return true;
    }

    /** Why the file consumer cannot carry this name, or null. */
    static String unfit(String name) {
        if (name.indexOf('\\') >= 0) {
            return "it holds a backslash, which the file intake reads as a folder separator";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            return "it is longer than " + MAX_NAME_BYTES + " bytes, and the read lock's marker or the archive's "
                    + "time suffix would pass the file system's 255-byte limit";
        }
        return null;
    }

    /** A name the intake can carry, with a hash of the old one: {@code a_b+<hash>.json} for {@code a\b.json}. */
    static String fitName(String name) {
        boolean json = name.endsWith(".json");
        String id = RequestIds.fromFileName(name);
        if (json && !id.contains("+")) {
            // already a plain stem (cannot happen for an unfit name, but keeps the rule total)
            id = id + "+" + RequestIds.hash(name);
        }
        return json ? id + ".json" : id;
    }

    private void rename(Path entry, String name, String why) {
        String key = entry.toString();
        if (stuck.contains(key)) {
            return;
        }
        Path target = entry.resolveSibling(fitName(name));
        try {
            Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
            LOG.warn("inbox file \"{}\" renamed to {}: {}", Untrusted.esc(name), target.getFileName(), why);
        } catch (FileAlreadyExistsException e) {
            stuck.add(key);
            LOG.error("inbox file \"{}\" cannot be read ({}) nor renamed: {} exists; rename it yourself",
                    Untrusted.esc(name), why, target.getFileName());
        } catch (IOException e) {
            stuck.add(key);
            LOG.error("inbox file \"{}\" cannot be read ({}) nor renamed to {}: {}; rename it yourself",
                    Untrusted.esc(name), why, target.getFileName(), e.getClass().getSimpleName());
        }
    }

    private void quarantine(Path entry, String name, BasicFileAttributes a) {
        String key = entry.toString() + "#" + a.fileKey();
        if (stuck.contains(key)) {
            return;
        }
        String kind = a.isSymbolicLink() ? "a symbolic link" : a.isOther() ? otherKind(entry) : "not a regular file";
        LocalDateTime now = LocalDateTime.now();
        String stamp = now.format(DateTimeFormatter.ofPattern("HHmmssSSS")) + "-"
                + RequestIds.hash(entry + "#" + System.nanoTime()).substring(0, 6);
        Path target = archive.resolve(now.format(DateTimeFormatter.ISO_LOCAL_DATE))
                .resolve(RequestIds.fromFileName(name) + "-" + stamp + ".not-a-file");
        String whereNow;
        try {
            Files.createDirectories(target.getParent());
            // a rename moves the entry itself: a link stays a link (its target is not touched), a FIFO is not opened
            Files.move(entry, target, StandardCopyOption.ATOMIC_MOVE);
            whereNow = "the entry itself was moved to " + target;
        } catch (IOException | UnsupportedOperationException e) {
            try {
                // another file system (no atomic rename there): the entry is removed, never copied
                Files.delete(entry);
                whereNow = "the entry itself was removed from the inbox (it could not be moved: "
                        + (e instanceof AtomicMoveNotSupportedException ? "the archive is on another file system"
                        : e.getClass().getSimpleName()) + ")";
            } catch (IOException e2) {
                stuck.add(key);
                LOG.error("inbox entry \"{}\" is {} and can be neither moved nor removed ({}); it is skipped until "
                        + "the next start", Untrusted.esc(entry), kind, e2.getClass().getSimpleName());
                whereNow = "the entry could be neither moved nor removed, and is skipped";
            }
        }
        String id = RequestIds.fromFileName(name);
        String message = "\"" + Untrusted.esc(entry) + "\" is " + kind + ", not a regular file: the intake reads "
                + "regular files only and never follows links, so nothing was read from it, and what it points at "
                + "was left as it is; " + whereNow + ". Put the request file itself into the inbox";
        IntakeItem item = new IntakeItem(id, null, ("(nothing was read: \"" + Untrusted.esc(entry) + "\" is " + kind
                + ")\n").getBytes(StandardCharsets.UTF_8), name, new Rejection("NOT_A_REGULAR_FILE", message),
                entry.toString(), false);
        try {
            Exchange ex = new DefaultExchange(context);
            ex.setProperty(Flow.ITEM, item);
            producer().send(deadLetterUri, ex);
            if (ex.getException() != null) {
                LOG.error("the dead letter of inbox entry \"{}\" could not be written: {}", Untrusted.esc(entry),
                        ex.getException().toString());
            }
        } catch (RuntimeException e) {
            LOG.error("the dead letter of inbox entry \"{}\" could not be written: {}", Untrusted.esc(entry), e.toString());
        }
    }

    private static String otherKind(Path entry) {
        try {
            Object mode = Files.getAttribute(entry, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int type = ((Integer) mode) & 0170000;
            return switch (type) {
                case 0010000 -> "a FIFO (named pipe)";
                case 0140000 -> "a socket";
                case 0020000 -> "a character device";
                case 0060000 -> "a block device";
                default -> "a special file";
            };
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException | ClassCastException e) {
            return "a special file";
        }
    }

    private ProducerTemplate producer() {
        ProducerTemplate p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = context.createProducerTemplate();
                }
                p = producer;
            }
        }
        return p;
    }
}
