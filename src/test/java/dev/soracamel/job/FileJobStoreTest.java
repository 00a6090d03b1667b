package dev.soracamel.job;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.soracamel.SoraPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class FileJobStoreTest {

    @TempDir
    Path dir;

    @Test
    void request_ids_are_taken_once_also_after_a_restart() throws Exception {
        FileJobStore store = new FileJobStore(dir, SoraPipeline.jsonMapper());
        Job job = new Job();
        job.requestId = "r1";
        job.provider = "yesai";
        job.record("accepted", "test");
        assertThat(store.create(job)).isTrue();
        assertThat(store.create(job)).isFalse();
        job.state = JobState.POLLING;
        job.taskId = "42";
        store.update(job);

        FileJobStore reopened = new FileJobStore(dir, SoraPipeline.jsonMapper());
        Job back = reopened.find("r1").orElseThrow();
        assertThat(back.state).isEqualTo(JobState.POLLING);
        assertThat(back.taskId).isEqualTo("42");
        assertThat(back.history).hasSize(1);
        assertThat(reopened.create(job)).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("r1.json");
        }
    }

    @Test
    void an_unreadable_record_is_skipped_not_fatal() throws Exception {
        Files.writeString(dir.resolve("broken.json"), "{not json");
        assertThat(new FileJobStore(dir, SoraPipeline.jsonMapper()).all()).isEmpty();
    }

    @Test
    void the_ban_list_survives_a_restart() {
        BanList bans = new BanList(dir.resolve("bans.txt"));
        bans.ban("bad-1");
        bans.ban("bad-1");
        assertThat(new BanList(dir.resolve("bans.txt")).isBanned("bad-1")).isTrue();
        assertThat(new BanList(dir.resolve("bans.txt")).size()).isEqualTo(1);
        assertThat(bans.isBanned("good")).isFalse();
    }
}
