package dev.soracamel.pipeline;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import static org.assertj.core.api.Assertions.assertThat;

/** Requests from the inbox folder; videos, metadata and dead letters to S3. */
class S3StorageTest extends S3PipelineTestSupport {

    @Override
    protected void configureS3(Properties p) {
        s3Storage(p);
        s3DeadLetters(p);
    }

    @Test
    void the_video_and_its_metadata_are_stored_under_the_prefix_as_the_sandbox_served_them() throws Exception {
        drop("beach.json", v2("A cat on a sunny beach", "tg-1"));

        awaitSettled(1, Duration.ofSeconds(30));

        assertThat(keys(VIDEOS)).containsExactly(metadataKey("tg-1", "beach"), videoKey("tg-1", "beach"));
        assertThat(sha256(videoKey("tg-1", "beach"))).isEqualTo(servedSha256(0));
        JsonNode meta = json(metadataKey("tg-1", "beach"));
        assertThat(meta.path("state").asText()).isEqualTo("STORED");
        assertThat(meta.path("storedLocation").asText()).isEqualTo("s3://" + bucket() + "/" + videoKey("tg-1", "beach"));
        assertThat(meta.path("videoBytes").asLong()).isEqualTo(bytes(videoKey("tg-1", "beach")).length);
        assertThat(board().find("beach").orElseThrow().storedLocation).isEqualTo(meta.path("storedLocation").asText());
        assertThat(s3.partsUploaded(bucket(), videoKey("tg-1", "beach"))).as("smaller than a part: one PUT").isZero();
        assertThat(count(dir.resolve("outbox"), ".mp4")).as("nothing in the outbox folder").isZero();
        assertThat(dir.resolve("work/downloads/beach.mp4.part")).doesNotExist();
        assertNoBreaches();
        assertThat(context.getRegistry().findByType(S3Client.class))
                .as("our client is found by its name only, never autowired into other aws2-s3 endpoints").isEmpty();
    }

    @Test
    void a_video_larger_than_the_part_size_goes_up_in_parts_streamed_from_the_part_file() throws Exception {
        long size = 12_000_000;
        drop("big.json", v2("A long flight over mountains [sandbox:bytes=" + size + "]", "tg-2"));

        awaitSettled(1, Duration.ofSeconds(30));

        String key = videoKey("tg-2", "big");
        assertThat(s3.partsUploaded(bucket(), key)).as("12 MB in 5 MiB parts").isEqualTo(3);
        assertThat(client.headObject(r -> r.bucket(bucket()).key(key)).contentLength()).isEqualTo(size);
        assertThat(sha256(key)).isEqualTo(servedSha256(size));
        assertThat(json(metadataKey("tg-2", "big")).path("videoBytes").asLong()).isEqualTo(size);
    }

    @Test
    void a_failed_part_upload_is_retried_with_the_whole_file_and_nothing_is_lost() throws Exception {
        long size = 11_000_000;
        s3.failNextParts(1);
        drop("flaky.json", v2("A storm over the sea [sandbox:bytes=" + size + "]", "tg-3"));

        awaitSettled(1, Duration.ofSeconds(30));

        String key = videoKey("tg-3", "flaky");
        assertThat(deadCount()).isZero();
        assertThat(sha256(key)).isEqualTo(servedSha256(size));
        assertThat(s3.partsUploaded(bucket(), key)).as("the failed upload was aborted; a whole new one went up")
                .isEqualTo(3);
        assertThat(sandbox().stats().downloads()).as("stored from the part file, not downloaded again").isEqualTo(1);
    }

    @Test
    void dead_letters_go_to_the_bucket_with_the_same_content_as_in_a_folder() throws Exception {
        String malformed = "{\"version\": \"2\", \"prompt\": ";
        drop("malformed.json", malformed);
        drop("notes.txt", "not a request at all");
        drop("refused.json", v2("A famous actor on stage [sandbox:reject]", "tg-4"));

        awaitSettled(3, Duration.ofSeconds(30));

        String notes = dev.soracamel.intake.RequestIds.fromFileName("notes.txt");
        // a job's dead letter is named for its id; a rejection's for its id and the moment, so none overwrites another
        assertThat(keys(DEAD)).hasSize(6).contains(DEAD + "refused.error.json", DEAD + "refused.json",
                rejectionKey("malformed", true), rejectionKey("malformed", false), rejectionKey(notes, true),
                rejectionKey(notes, false));
        assertThat(rejectionKey("malformed", false)).endsWith(".json");
        assertThat(rejectionKey(notes, false)).endsWith(".original");
        assertThat(json(rejectionKey("malformed", true)).path("code").asText()).isEqualTo("MALFORMED_JSON");
        assertThat(json(rejectionKey(notes, true)).path("code").asText()).isEqualTo("NOT_A_JSON_FILE");
        JsonNode refused = json(errorKey("refused"));
        assertThat(refused.path("code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(refused.path("commentEn").asText()).isNotBlank();
        // the originals travel with their reasons, byte for byte
        assertThat(new String(bytes(rejectionKey("malformed", false)), StandardCharsets.UTF_8)).isEqualTo(malformed);
        assertThat(new String(bytes(rejectionKey(notes, false)), StandardCharsets.UTF_8)).isEqualTo("not a request at all");
        assertThat(json(DEAD + "refused.json").path("prompt").asText()).isEqualTo("A famous actor on stage [sandbox:reject]");
        assertThat(count(dir.resolve("dead-letter"), ".json")).as("nothing in the dead-letter folder").isZero();
        assertThat(archived()).hasSize(3);
    }
}
