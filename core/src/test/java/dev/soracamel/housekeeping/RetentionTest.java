package dev.soracamel.housekeeping;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class RetentionTest {

    @TempDir
    Path dir;

    Path file(String name, Duration age) throws Exception {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, "x");
        Files.setLastModifiedTime(f, FileTime.from(Instant.now().minus(age)));
        return f;
    }

    @Test
    void only_what_is_older_than_its_age_goes_and_zero_keeps_forever() throws Exception {
        Path oldArchived = file("archive/2026-01-01/a.json", Duration.ofDays(40));
        Path newArchived = file("archive/2026-11-20/b.json", Duration.ofDays(1));
        Path oldDead = file("dead/x.error.json", Duration.ofDays(400));
        Path oldPart = file("downloads/y.mp4.part", Duration.ofDays(2));

        Retention r = new Retention(null, dir.resolve("archive"), dir.resolve("dead"), dir.resolve("downloads"),
                Duration.ofDays(30), Duration.ZERO, Duration.ZERO);
        Map<String, Integer> deleted = r.sweep();

        assertThat(oldArchived).doesNotExist();
        assertThat(oldArchived.getParent()).as("emptied day folder").doesNotExist();
        assertThat(newArchived).exists();
        assertThat(oldDead).as("dead-letter age 0 keeps forever").exists();
        assertThat(oldPart).doesNotExist();
        assertThat(deleted).containsEntry("archive", 1).containsEntry("deadLetters", 0).containsEntry("partFiles", 1)
                .containsEntry("jobRecords", 0);
    }
}
