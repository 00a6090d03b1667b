package dev.soracamel.pipeline;

import dev.soracamel.testing.LogCapture;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.intake.IntakeGuard;
import dev.soracamel.intake.RequestIds;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a careless or hostile writer can put into the inbox besides request files. Nothing of it may hold the
 * intake (a canary request dropped beside it is taken within seconds), follow a link, copy more than
 * max-file-bytes, or be retried forever; each ends as a dead letter with a reason, or is taken as a request.
 */
class HostileInboxTest extends PipelineTestSupport {

    static final Duration CANARY = Duration.ofSeconds(10);
    final LogCapture log = new LogCapture("hostile-inbox");

    @BeforeEach
    void listen() {
        log.attach();
    }

    @AfterEach
    void unlisten() {
        log.detach();
    }

    /** Puts an entry into the inbox under its final name at once (the name may be too long for a .tmp beside it). */
    void dropAs(String name, String content) throws IOException {
        Path staging = dir.resolve("staging");
        Files.createDirectories(staging);
        Files.createDirectories(dir.resolve("inbox"));
        Path tmp = Files.createTempFile(staging, "drop", ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("inbox").resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** A request dropped beside the hostile input: it must be taken while that input is in place. */
    void canary(String id) throws Exception {
        drop(id + ".json", v2("A canary singing in a cage", "canary"));
        await(() -> board().find(id).isPresent(), CANARY, () -> "the canary " + id + " was not taken within "
                + CANARY + ": " + board().queries().counts());
    }

    void awaitRejected(String id, String code) throws Exception {
        await(() -> Files.exists(errorOf(id)), Duration.ofSeconds(15), () -> "no dead letter for " + id);
        assertThat(error(id).path("code").asText()).as(id).isEqualTo(code);
        assertThat(error(id).path("message").asText()).as(id).isNotBlank();
    }

    boolean inbox(String name) {
        return Files.exists(dir.resolve("inbox").resolve(name), LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void a_fifo_never_blocks_the_intake() throws Exception {
        Files.createDirectories(dir.resolve("inbox"));
        Path fifo = dir.resolve("inbox").resolve("x.json");
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assumeTrue(mk.waitFor() == 0, "mkfifo is needed for this test");

        canary("canary-fifo");

        awaitRejected("x", "NOT_A_REGULAR_FILE");
        assertThat(error("x").path("message").asText()).contains("FIFO").contains(fifo.toString());
        assertThat(error("x").path("source").asText()).isEqualTo(fifo.toString());
        assertThat(inbox("x.json")).as("the FIFO left the inbox").isFalse();
        awaitSettled(2, Duration.ofSeconds(20));
        assertThat(stored("canary", "canary-fifo")).exists();
    }

    @Test
    void links_are_never_followed_their_targets_are_neither_read_nor_copied_nor_changed() throws Exception {
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Path secret = outside.resolve("passwd");
        Files.writeString(secret, "root:TOP-SECRET-CONTENT:0:0\n");
        Path request = outside.resolve("request.json");
        Files.writeString(request, v2("A request that lives elsewhere", "elsewhere"));
        Files.createDirectories(dir.resolve("inbox"));
        Files.createSymbolicLink(dir.resolve("inbox").resolve("passwd.json"), secret);
        Files.createSymbolicLink(dir.resolve("inbox").resolve("elsewhere.json"), request);
        Files.createSymbolicLink(dir.resolve("inbox").resolve("dangling.json"), outside.resolve("nothing-here"));
        Files.createSymbolicLink(dir.resolve("inbox").resolve("notes.txt"), secret);

        canary("canary-links");

        for (String id : List.of("passwd", "elsewhere", "dangling", RequestIds.fromFileName("notes.txt"))) {
            awaitRejected(id, "NOT_A_REGULAR_FILE");
            assertThat(error(id).path("message").asText()).contains("symbolic link");
        }
        awaitSettled(5, Duration.ofSeconds(20));
        // the targets are as they were, and nothing of them was copied anywhere
        assertThat(secret).hasContent("root:TOP-SECRET-CONTENT:0:0\n");
        assertThat(request).exists();
        assertThat(contents(dir.resolve("dead-letter"))).noneMatch(c -> c.contains("TOP-SECRET"))
                .noneMatch(c -> c.contains("A request that lives elsewhere"));
        try (Stream<Path> archived = Files.walk(dir.resolve("archive"))) {
            assertThat(archived.filter(p -> p.getFileName().toString().contains("not-a-file")).toList())
                    .hasSize(4).allMatch(Files::isSymbolicLink);
        }
        assertThat(board().find("elsewhere")).isEmpty();
        assertThat(sandbox().stats().posts()).as("only the canary was submitted").isEqualTo(1);
        assertThat(inboxEmpty()).isTrue();
        try (Stream<Path> left = Files.list(dir.resolve("inbox"))) {
            assertThat(left.toList()).as("no link stayed in the inbox").isEmpty();
        }
    }

    @Test
    void names_of_246_to_255_bytes_and_backslashes_are_taken_not_stranded() throws Exception {
        List<String> names = List.of(
                "a".repeat(241) + ".json",                       // 246 bytes
                "b".repeat(245) + ".json",                       // 250
                "c".repeat(250) + ".json",                       // 255, the file system's limit
                "\u00e9".repeat(122) + "d.json",                  // 250 bytes in 128 characters
                "back\\slash.json",
                "dir\\..\\..\\escape.json");
        for (String name : names) {
            dropAs(name, v2("A long name for a short video", "names"));
        }
        canary("canary-names");

        awaitSettled(names.size() + 1, Duration.ofSeconds(40));

        for (String name : names) {
            String id = RequestIds.fromFileName(fit(name));
            assertThat(stored("names", id)).as(name + " -> " + id).exists();
        }
        assertThat(dir.resolve("escape.json")).doesNotExist();
        assertThat(dir.resolve("inbox")).isEmptyDirectory();
        // each renamed once, said once: no endless retry
        assertThat(log.lines.stream().filter(l -> l.contains("renamed to"))).hasSize(names.size());
        assertThat(log.lines.stream().filter(l -> l.contains("File name too long") || l.contains("camelLock"))).isEmpty();
        assertThat(sandbox().stats().posts()).isEqualTo(names.size() + 1);
    }

    /** The name the guard gives an entry it cannot carry (package-private there; same rule). */
    static String fit(String name) {
        try {
            var m = IntakeGuard.class.getDeclaredMethod("fitName", String.class);
            m.setAccessible(true);
            return (String) m.invoke(null, name);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void a_sparse_two_gigabyte_file_leaves_at_most_max_file_bytes_in_the_dead_letter() throws Exception {
        Path staging = dir.resolve("staging");
        Files.createDirectories(staging);
        Files.createDirectories(dir.resolve("inbox"));
        Path big = staging.resolve("huge.json.tmp");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write("{\"version\": \"2\", ".getBytes(StandardCharsets.UTF_8));
            f.setLength(2L * 1024 * 1024 * 1024);
        }
        Files.move(big, dir.resolve("inbox").resolve("huge.json"), StandardCopyOption.ATOMIC_MOVE);
        canary("canary-huge");

        awaitRejected("huge", "REQUEST_FILE_TOO_LARGE");
        awaitSettled(2, Duration.ofSeconds(20));
        JsonNode e = error("huge");
        assertThat(e.path("message").asText()).contains("2147483648 bytes").contains("1048576");
        assertThat(Files.size(originalOf("huge"))).isLessThanOrEqualTo(1024 * 1024);
        assertThat(Files.readString(originalOf("huge"), StandardCharsets.ISO_8859_1)).startsWith("{\"version\": \"2\", ");
        long deadLetterBytes;
        try (Stream<Path> files = Files.walk(dir.resolve("dead-letter"))) {
            deadLetterBytes = files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException x) {
                    return 0;
                }
            }).sum();
        }
        assertThat(deadLetterBytes).isLessThan(2L * 1024 * 1024);
    }

    @Test
    void parser_failures_and_concatenated_requests_are_dead_letters_with_a_reason_not_internal_errors() throws Exception {
        String one = v2("The first of two requests in one file", "concat");
        drop("two.json", one + "\n" + v2("The second of two requests", "concat"));
        drop("deep.json", "{\"a\":".repeat(2000) + "1" + "}".repeat(2000));
        drop("digits.json", one.replace("\"duration\": 10", "\"duration\": " + "9".repeat(1000)));
        drop("wrapped.json", one.replace("\"duration\": 10", "\"duration\": 4294967306"));
        drop("blank-prompt.json", v2("\u00a0\u00a0\u3000", "concat"));
        drop("shouting.json", one.replace("}", ", \"image_url\": \"HTTP://example.com/a.png\"}"));
        canary("canary-parse");

        awaitSettled(7, Duration.ofSeconds(30));

        awaitRejected("two", "MALFORMED_JSON");
        assertThat(error("two").path("message").asText()).contains("more than one JSON value");
        awaitRejected("deep", "MALFORMED_JSON");
        assertThat(error("deep").path("message").asText()).contains("nested deeper");
        awaitRejected("digits", "MALFORMED_JSON");
        assertThat(error("digits").path("message").asText()).contains("number longer");
        awaitRejected("wrapped", "DURATION_NOT_VALID");
        awaitRejected("blank-prompt", "PROMPT_IS_EMPTY");
        awaitRejected("shouting", "IMAGE_URL_NOT_VALID");
        assertThat(log.lines.stream().filter(l -> l.contains("INTERNAL_ERROR") || l.contains("NullPointer"))).isEmpty();
        assertThat(sandbox().stats().posts()).as("only the canary was submitted").isEqualTo(1);
    }

    static List<String> contents(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(p -> {
                try {
                    return Files.readString(p, StandardCharsets.ISO_8859_1);
                } catch (IOException e) {
                    return "";
                }
            }).toList();
        }
    }
}
