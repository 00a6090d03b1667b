package dev.soracamel.pipeline;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.soracamel.intake.RequestIds;
import dev.soracamel.job.Job;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every input gets a record of its own: no two inputs share a request id unless they share their request_id,
 * and no dead letter overwrites another's.
 */
class OneInputOneRecordTest extends PipelineTestSupport {

    @Test
    void names_that_used_to_give_one_id_are_two_jobs() throws Exception {
        drop("cat video.json", v2("A cat in a video, spaced", "one"));
        drop("cat_video.json", v2("A cat in a video, underscored", "one"));
        drop("a.json", "[" + v2("The first element of a", "one") + "]");
        awaitSettled(3, Duration.ofSeconds(30));
        // "a.json" element 1 is a-1; a file of that name is another input and gets an id of its own
        drop("a-1.json", v2("A file named like an element", "one"));
        awaitSettled(4, Duration.ofSeconds(30));

        List<Job> jobs = board().queries().all().stream().toList();
        assertThat(jobs).hasSize(4);
        assertThat(jobs.stream().map(j -> j.requestId).collect(Collectors.toSet())).hasSize(4)
                .contains("cat_video", "a-1", RequestIds.fromFileName("cat video.json"));
        assertThat(jobs.stream().map(j -> j.source).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder("cat video.json", "cat_video.json", "a.json", "a-1.json");
        assertThat(storedCount()).isEqualTo(4);
        assertThat(sandbox().stats().posts()).isEqualTo(4);

        // the same file again (a resend, or a re-read after a crash) is still a duplicate, not a fifth job
        drop("a-1.json", v2("A file named like an element", "one"));
        drop("cat video.json", v2("A cat in a video, spaced", "one"));
        await(() -> {
            try {
                return inboxEmpty() && board().queries().idle();
            } catch (java.io.IOException e) {
                return false;
            }
        }, Duration.ofSeconds(20), () -> "inbox not emptied");
        Thread.sleep(300);
        assertThat(board().queries().all()).hasSize(4);
        assertThat(sandbox().stats().posts()).isEqualTo(4);
    }

    @Test
    void dead_letters_never_overwrite_each_other() throws Exception {
        // the same broken file twice, and two files whose requests give one request_id, all refused
        drop("broken.json", "{\"version\": \"2\", ");
        awaitSettled(1, Duration.ofSeconds(20));
        drop("broken.json", "{\"version\": \"2\", \"prompt\": ");
        drop("first.json", "{\"request_id\": \"same-id\", " + request("2", "Refused for its duration", 720, 7, "dl")
                .substring(1));
        drop("second.json", "{\"request_id\": \"same-id\", " + request("2", "Refused for its resolution", 480, 10, "dl")
                .substring(1));
        awaitSettled(4, Duration.ofSeconds(20));

        assertThat(rejections("broken")).hasSize(2);
        assertThat(rejections("same-id")).hasSize(2);
        Set<String> codes = Set.of(error(rejections("same-id").get(0)).path("code").asText(),
                error(rejections("same-id").get(1)).path("code").asText());
        assertThat(codes).containsExactlyInAnyOrder("DURATION_NOT_FOUND", "RESOLUTION_NOT_FOUND");
        // each reason names its own input, with the full path
        Set<String> sources = Set.of(error(rejections("same-id").get(0)).path("source").asText(),
                error(rejections("same-id").get(1)).path("source").asText());
        assertThat(sources).containsExactlyInAnyOrder(dir.resolve("inbox/first.json").toString(),
                dir.resolve("inbox/second.json").toString());
        // and each original is kept beside its reason
        for (var reason : rejections("broken")) {
            String base = reason.getFileName().toString().replace(".error.json", "");
            assertThat(reason.resolveSibling(base + ".json")).exists();
        }
        assertThat(Files.readString(rejections("broken").get(0).resolveSibling(
                rejections("broken").get(0).getFileName().toString().replace(".error.json", ".json"))))
                .isNotEqualTo(Files.readString(rejections("broken").get(1).resolveSibling(
                        rejections("broken").get(1).getFileName().toString().replace(".error.json", ".json"))));
    }

    com.fasterxml.jackson.databind.JsonNode error(java.nio.file.Path p) throws java.io.IOException {
        return JSON.readTree(p.toFile());
    }
}
