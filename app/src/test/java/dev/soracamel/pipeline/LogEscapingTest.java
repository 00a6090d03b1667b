package dev.soracamel.pipeline;

import dev.soracamel.testing.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import dev.soracamel.text.Untrusted;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A name that came from outside cannot forge a log line: its line breaks and other control characters are
 * escaped in what the console prints, wherever in the pipeline the name is logged.
 */
class LogEscapingTest extends PipelineTestSupport {

    final LogCapture log = new LogCapture("log-escaping");

    @BeforeEach
    void listen() {
        log.attach();
    }

    @AfterEach
    void unlisten() {
        log.detach();
    }

    void dropRaw(String name, String content) throws IOException {
        Path staging = dir.resolve("staging");
        Files.createDirectories(staging);
        Files.createDirectories(dir.resolve("inbox"));
        Path tmp = Files.createTempFile(staging, "drop", ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, dir.resolve("inbox").resolve(name));
    }

    @Test
    void names_with_line_breaks_and_control_characters_stay_on_one_line() throws Exception {
        String forged = "12:00:00.000 INFO  jobs          job admin STORED";
        dropRaw("ok\n" + forged + ".json", v2("A request whose file name lies", "logs"));
        dropRaw("bad\r\n" + forged + "\u001b[2J\u202e.json", "{\"version\": ");
        dropRaw("txt\n" + forged + ".txt", "not a request");

        awaitSettled(3, Duration.ofSeconds(30));

        assertThat(log.printed).as("the console layout is the configured one").isNotEmpty();
        List<String> lines = log.printed.stream().flatMap(p -> Arrays.stream(p.split("\r?\n|\r"))).toList();
        assertThat(lines).noneMatch(l -> l.startsWith("12:00:00.000"));
        assertThat(lines).noneMatch(l -> l.contains("\u001b") || l.contains("\u202e"));
        assertThat(log.printed.stream().filter(p -> p.contains("job admin STORED"))).isNotEmpty()
                .allMatch(p -> p.contains("\\n12:00:00.000") || p.contains("\\\\n12:00:00.000"));
    }

    @Test
    void untrusted_text_is_escaped_and_cut() {
        assertThat(Untrusted.esc("a\nb\rc\td\u0000e\u001bf\u202eg\u2028h\\i"))
                .isEqualTo("a\\nb\\rc\\td\\u0000e\\u001bf\\u202eg\\u2028h\\\\i");
        assertThat(Untrusted.esc("x".repeat(1000))).hasSizeLessThan(400).endsWith("(1000 characters)");
        assertThat(Untrusted.esc("caf\u00e9 \ud83d\ude00")).isEqualTo("caf\u00e9 \ud83d\ude00");
        assertThat(Untrusted.words("a\u00a0b\u3000c\u200bd")).isEqualTo(4);
        assertThat(Untrusted.isBlank("\u00a0\u2007\u202f\u200b\ufeff\u3000\u180e")).isTrue();
    }
}
