package dev.soracamel.pipeline;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests from an S3 bucket (the inbox folder off), videos and dead letters to the folders: the same
 * format, checks and idempotency as the folder intake, and each object moves to the processed prefix.
 */
class S3IntakeTest extends S3PipelineTestSupport {

    static final int MAX_BYTES = 4096;

    @Override
    protected void configureS3(Properties p) {
        s3Intake(p, false);
        p.put("sora.intake.max-file-bytes", String.valueOf(MAX_BYTES));
    }

    @Test
    void requests_from_a_bucket_are_stored_and_each_object_moves_to_the_processed_prefix() throws Exception {
        put("single.json", v2("A cat on a sunny beach", "tg-1"));
        put("pair.json", "[" + v2("A fox in the snow", "tg-2") + "," + v2("An owl at dusk", "tg-2") + "]");
        put("sub/nested.json", "{\"request_id\": \"own-id\", " + v2("A boat on a lake", "tg-3").substring(1));
        String malformed = "{\"version\": \"2\", \"prompt\": ";
        put("malformed.json", malformed);
        put("notes.txt", "not a request at all");
        byte[] huge = new byte[3 * MAX_BYTES];
        Arrays.fill(huge, (byte) 'x');
        put("huge.json", new String(huge, StandardCharsets.US_ASCII));

        awaitSettled(7, Duration.ofSeconds(30));

        assertThat(stored("tg-1", "single")).exists();
        assertThat(stored("tg-2", "pair-1")).exists();
        assertThat(stored("tg-2", "pair-2")).exists();
        assertThat(stored("tg-3", "own-id")).exists();
        // the record keeps the whole key, the id comes from the key below the intake prefix
        assertThat(metadata("tg-1", "single").path("source").asText()).isEqualTo("inbox/single.json");
        assertThat(error("malformed").path("code").asText()).isEqualTo("MALFORMED_JSON");
        String notes = dev.soracamel.intake.RequestIds.fromFileName("notes.txt");
        assertThat(error(notes).path("code").asText()).isEqualTo("NOT_A_JSON_FILE");
        assertThat(error("huge").path("code").asText()).isEqualTo("REQUEST_FILE_TOO_LARGE");
        assertThat(error("huge").path("message").asText()).contains("first " + MAX_BYTES + " bytes");
        // originals travel with their reasons; of a too-large object, only what was read
        assertThat(originalOf("malformed")).hasContent(malformed);
        assertThat(originalOf(notes)).hasContent("not a request at all");
        assertThat(Files.size(originalOf("huge"))).isEqualTo(MAX_BYTES);
        // the reason names the whole key in its bucket
        assertThat(error("malformed").path("source").asText()).endsWith("/inbox/malformed.json").startsWith("s3://");
        // every object left the inbox prefix for the processed one, whole
        assertThat(keys(INBOX)).isEmpty();
        assertThat(keys(PROCESSED)).containsExactlyInAnyOrder(PROCESSED + "inbox/single.json",
                PROCESSED + "inbox/pair.json", PROCESSED + "inbox/sub/nested.json", PROCESSED + "inbox/malformed.json",
                PROCESSED + "inbox/notes.txt", PROCESSED + "inbox/huge.json");
        assertThat(bytes(PROCESSED + "inbox/huge.json")).hasSize(huge.length);
        assertThat(sandbox().stats().posts()).isEqualTo(4);
        assertNoBreaches();
    }

    @Test
    void an_object_read_again_after_a_crash_before_its_move_is_not_submitted_again() throws Exception {
        String request = v2("Only one of me will ever be made", "tg-4");
        put("once.json", request);
        awaitSettled(1, Duration.ofSeconds(30));

        // as if the process had died after accepting the object's requests but before moving it
        put("once.json", request);
        await(() -> keys(INBOX).isEmpty(), Duration.ofSeconds(10), () -> "inbox: " + keys(INBOX));
        awaitSettled(1, Duration.ofSeconds(10));

        assertThat(sandbox().stats().tasksCreatedByPrompt().get("Only one of me will ever be made")).isEqualTo(1);
        assertThat(sandbox().stats().posts()).isEqualTo(1);
        assertThat(storedCount()).isEqualTo(1);
        assertThat(deadCount()).isZero();
        assertThat(keys(PROCESSED)).containsExactly(PROCESSED + "inbox/once.json");
    }

    @Test
    void objects_of_one_name_under_two_sub_prefixes_are_two_jobs() throws Exception {
        put("team-a/clip.json", v2("Team A's clip of a harbour", "tg-5"));
        put("team-b/clip.json", v2("Team B's clip of a harbour", "tg-5"));
        awaitSettled(2, Duration.ofSeconds(30));

        String a = dev.soracamel.intake.RequestIds.fromFileName("team-a/clip.json");
        String b = dev.soracamel.intake.RequestIds.fromFileName("team-b/clip.json");
        assertThat(a).isNotEqualTo(b);
        assertThat(stored("tg-5", a)).exists();
        assertThat(stored("tg-5", b)).exists();
        assertThat(board().find(a).orElseThrow().source).isEqualTo("inbox/team-a/clip.json");
        assertThat(sandbox().stats().posts()).isEqualTo(2);
        assertThat(deadCount()).isZero();
    }
}
