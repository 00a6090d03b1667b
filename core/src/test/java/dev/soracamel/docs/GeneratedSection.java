package dev.soracamel.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A part of a Markdown file between two marker comments that a test renders from code, so that the file is
 * never kept by hand: the test compares it, and rewrites it when run with {@code -Dsora.options.write=true}.
 */
public record GeneratedSection(String begin, String end) {

    public static final String WRITE = "sora.options.write";

    /** The section as it stands between the markers, or null when the text has none. */
    public String current(String text) {
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            return null;
        }
        return text.substring(from + begin.length(), to).strip() + "\n";
    }

    /** Rewrites the section between the file's markers. */
    public void write(Path file, String rendered) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int from = text.indexOf(begin);
        int to = text.indexOf(end);
        if (from < 0 || to < from) {
            throw new IllegalStateException(file + " has no " + begin + " ... " + end + " markers");
        }
        Files.writeString(file, text.substring(0, from + begin.length()) + "\n" + rendered + text.substring(to),
                StandardCharsets.UTF_8);
    }

    /** The file's section, rewritten first when the build asks for it. */
    public String sync(Path file, String rendered) throws IOException {
        if (Boolean.getBoolean(WRITE)) {
            write(file, rendered);
        }
        return current(Files.readString(file, StandardCharsets.UTF_8));
    }
}
