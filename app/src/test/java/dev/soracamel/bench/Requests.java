package dev.soracamel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Request files as a well-behaved writer drops them, and the metadata the pipeline writes beside each video. */
final class Requests {

    static final ObjectMapper JSON = new ObjectMapper();

    private Requests() {
    }

    static String yesai(int i, String marker) {
        return yesai(i, marker, "2", 720, 10);
    }

    static String yesai(int i, String marker, String version, int resolution, int duration) {
        return """
                {"version": "%s", "prompt": "bench job %05d: a red fox crosses a snowy field at dawn%s",
                 "resolution": %d, "dimensions": "16:9", "duration": %d, "customer_id": "bench"}
                """.formatted(version, i, marker, resolution, duration);
    }

    static String openai(int i) {
        return """
                {"model": "sora-2", "prompt": "bench job %05d: a red fox crosses a snowy field at dawn",
                 "size": "1280x720", "seconds": "4", "customer_id": "bench"}
                """.formatted(i);
    }

    static String name(int i) {
        return "job-%05d.json".formatted(i);
    }

    /** Writes each file under a hidden temporary name, then renames it into the folder. */
    static void drop(Path inbox, List<String> contents) throws IOException {
        Files.createDirectories(inbox);
        for (int i = 0; i < contents.size(); i++) {
            String name = name(i + 1);
            Path tmp = inbox.resolve("." + name + ".tmp");
            Files.writeString(tmp, contents.get(i), StandardCharsets.UTF_8);
            Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /** The metadata files ({@code <customer>/<request_id>.json}) of every stored video. */
    static List<JsonNode> metadata(Path outbox) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(outbox)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(outbox)) {
            for (Path f : files.filter(f -> f.getFileName().toString().endsWith(".json")
                    && !f.getFileName().toString().startsWith(".")).toList()) {
                out.add(JSON.readTree(f.toFile()));
            }
        }
        return out;
    }

    static long count(Path folder, String suffix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(suffix)
                    && !f.getFileName().toString().startsWith(".")).count();
        }
    }
}
