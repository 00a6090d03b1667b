package dev.soracamel.housekeeping;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.soracamel.flow.JobBoard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what has been kept long enough: read request files in the archive, dead letters, leftover part
 * files of downloads, and the records of finished jobs. Each has its own age (0 keeps forever). Run by the
 * {@code retention} route on a Quartz cron.
 */
public class Retention {

    private static final Logger LOG = LoggerFactory.getLogger("sora.retention");

    private final JobBoard board;
    private final Path archive;
    private final Path deadLetters;
    private final Path downloads;
    private final Duration archiveAge;
    private final Duration deadLetterAge;
    private final Duration jobAge;

    public Retention(JobBoard board, Path archive, Path deadLetters, Path downloads, Duration archiveAge,
                     Duration deadLetterAge, Duration jobAge) {
        this.board = board;
        this.archive = archive;
        this.deadLetters = deadLetters;
        this.downloads = downloads;
        this.archiveAge = archiveAge;
        this.deadLetterAge = deadLetterAge;
        this.jobAge = jobAge;
    }

    /** @return what was deleted, by kind */
    public Map<String, Integer> sweep() throws IOException {
        Instant now = Instant.now();
        Map<String, Integer> deleted = new LinkedHashMap<>();
        deleted.put("archive", deleteOlder(archive, archiveAge, now));
        deleted.put("deadLetters", deleteOlder(deadLetters, deadLetterAge, now));
        // a part file older than a link lives belongs to no download that can still succeed
        deleted.put("partFiles", deleteOlder(downloads, Duration.ofDays(1), now));
        deleted.put("jobRecords", jobAge.isZero() ? 0 : board.delivery().forgetFinishedBefore(now.minus(jobAge)));
        LOG.info("retention sweep: deleted {}", deleted);
        return deleted;
    }

    private static int deleteOlder(Path root, Duration age, Instant now) throws IOException {
        if (age.isZero() || !Files.isDirectory(root)) {
            return 0;
        }
        Instant cutoff = now.minus(age);
        int[] n = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                    Files.deleteIfExists(file);
                    n[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (!dir.equals(root)) {
                    try (var entries = Files.list(dir)) {
                        if (entries.findAny().isEmpty()) {
                            Files.delete(dir);
                        }
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return n[0];
    }
}
