package dev.soracamel.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Storage refuses to take a downloaded, paid video for longer than the store route's own retries: the video is
 * kept in the work folder, the job waits in sight (STORING, why in its last status), and it is stored once
 * storage is back, also across a restart; nothing is downloaded or paid again.
 */
class StorageOutageTest extends PipelineTestSupport {

    @Override
    protected void configure(Properties p) {
        p.put("sora.store.retries", "0");
        p.put("sora.store.retry-delay-ms", "50");
        p.put("sora.store.outage.max-retry-delay", "200ms");
        p.put("sora.repository.recover-interval-ms", "50");
    }

    /** The customer's folder cannot be made while a plain file sits where it should go: every write fails. */
    Path block(String customer) throws Exception {
        Path blocker = dir.resolve("outbox").resolve(customer);
        Files.createDirectories(blocker.getParent());
        Files.writeString(blocker, "storage is down");
        return blocker;
    }

    Job job(String id) {
        return board().find(id).orElseThrow();
    }

    @Test
    void a_paid_video_waits_out_a_storage_outage_and_is_stored_once_without_paying_again() throws Exception {
        Path blocker = block("c1");
        drop("cat.json", v2("a cat on the beach", "c1").replace("{", "{\"request_id\": \"cat\", "));

        await(() -> board().find("cat").map(j -> j.storeFailures >= 3).orElse(false), Duration.ofSeconds(20),
                () -> String.valueOf(board().find("cat").orElse(null)));
        Job waiting = job("cat");
        assertThat(waiting.state).as("in sight, not dead-lettered").isEqualTo(JobState.STORING);
        assertThat(waiting.lastStatus).startsWith("store failed");
        assertThat(Path.of(waiting.downloadedFile)).as("the paid video is kept").exists();
        assertThat(deadCount()).isZero();

        Files.delete(blocker); // storage is back
        awaitSettled(1, Duration.ofSeconds(20));
        assertThat(isMp4(stored("c1", "cat"))).isTrue();
        assertThat(metadata("c1", "cat").path("state").asText()).isEqualTo("STORED");
        assertThat(deadCount()).isZero();
        assertThat(sandbox().stats().tasksCreated()).as("paid once").isEqualTo(1);
        assertThat(sandbox().stats().downloads()).as("downloaded once").isEqualTo(1);
        assertNoBreaches();
    }

    @Test
    void a_restart_during_the_outage_stores_from_the_kept_file() throws Exception {
        Path blocker = block("c2");
        drop("dog.json", v2("a dog in the snow", "c2").replace("{", "{\"request_id\": \"dog\", "));
        await(() -> board().find("dog").map(j -> j.storeFailures >= 1).orElse(false), Duration.ofSeconds(20),
                () -> String.valueOf(board().find("dog").orElse(null)));
        long downloads = sandbox().stats().downloads();
        var sandboxBefore = sandbox();

        Files.delete(blocker);
        restart(p -> {
        });

        awaitSettled(1, Duration.ofSeconds(20));
        assertThat(isMp4(stored("c2", "dog"))).isTrue();
        assertThat(job("dog").history.stream().map(Job.Event::event)).contains("store failed", "store resumed");
        assertThat(sandboxBefore.stats().downloads()).as("not fetched again").isEqualTo(downloads);
        assertThat(sandboxBefore.stats().tasksCreated()).isEqualTo(1);
    }

    @Test
    void after_the_give_up_time_the_dead_letter_says_where_the_video_is() throws Exception {
        restart(p -> p.put("sora.store.outage.give-up-after", "300ms"));
        block("c3");
        drop("owl.json", v2("an owl at night", "c3").replace("{", "{\"request_id\": \"owl\", "));

        await(() -> Files.exists(errorOf("owl")), Duration.ofSeconds(20),
                () -> String.valueOf(board().find("owl").orElse(null)));
        var e = error("owl");
        assertThat(e.path("code").asText()).isEqualTo("STORAGE_FAILED");
        Path kept = dir.resolve("work/kept/owl.mp4");
        assertThat(e.path("message").asText()).contains(kept.toString(), "nothing needs to be paid again");
        assertThat(isMp4(kept)).isTrue();
    }
}
