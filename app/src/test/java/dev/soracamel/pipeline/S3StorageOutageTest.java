package dev.soracamel.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * S3 itself goes away (nothing listens on its port: refused connections) for longer than the store route's quick
 * retries, then comes back on the same port. The downloaded, paid video waits in sight and is stored once when
 * S3 is back; nothing is downloaded or paid again, and nothing is dead-lettered.
 */
class S3StorageOutageTest extends S3PipelineTestSupport {

    @Override
    protected void configureS3(Properties p) {
        s3Storage(p);
        p.put("sora.store.retries", "1");
        p.put("sora.store.outage.max-retry-delay", "200ms");
        p.put("sora.repository.recover-interval-ms", "50");
    }

    @AfterEach
    void s3Back() throws Exception {
        s3.startAgain(); // the class's other tests, if any, need it
    }

    @Test
    void a_paid_video_waits_out_an_s3_outage_and_is_stored_once_without_paying_again() throws Exception {
        s3.stop();
        assertThat(s3.running()).isFalse();
        drop("cat.json", v2("a cat on an S3 outage", "c1").replace("{", "{\"request_id\": \"cat\", "));

        // several outage rounds, each after the route's quick retries, and over a second of real time
        long down = System.nanoTime();
        await(() -> board().find("cat").map(j -> j.storeFailures >= 3).orElse(false), Duration.ofSeconds(30),
                () -> String.valueOf(board().find("cat").orElse(null)));
        await(() -> System.nanoTime() - down > 1_000_000_000L, Duration.ofSeconds(5), () -> "waiting");
        Job waiting = board().find("cat").orElseThrow();
        assertThat(waiting.state).as("in sight, not dead-lettered").isEqualTo(JobState.STORING);
        assertThat(waiting.lastStatus).as("says why").startsWith("store failed");
        assertThat(waiting.storeFailures).isGreaterThanOrEqualTo(3);
        assertThat(Path.of(waiting.downloadedFile)).as("the paid video is kept").exists();
        assertThat(Files.exists(errorOf("cat"))).as("no dead letter").isFalse();
        assertThat(sandbox().stats().downloads()).isEqualTo(1);

        s3.startAgain();
        awaitSettled(1, Duration.ofSeconds(30));

        assertThat(keys(VIDEOS)).as("stored once: the video and its metadata, nothing else")
                .containsExactlyInAnyOrder(videoKey("c1", "cat"), metadataKey("c1", "cat"));
        assertThat(sha256(videoKey("c1", "cat"))).isEqualTo(servedSha256(0));
        assertThat(json(metadataKey("c1", "cat")).path("state").asText()).isEqualTo("STORED");
        Job stored = board().find("cat").orElseThrow();
        assertThat(stored.state).isEqualTo(JobState.STORED);
        assertThat(stored.history.stream().map(Job.Event::event)).contains("store failed");
        assertThat(deadCount()).as("no dead letter").isZero();
        assertThat(sandbox().stats().tasksCreated()).as("paid once").isEqualTo(1);
        assertThat(sandbox().stats().downloads()).as("downloaded once").isEqualTo(1);
        assertNoBreaches();
    }
}
