package dev.soracamel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every scenario shares: the time scale, where work goes, and how the pipeline is started. Each knob is
 * a system property {@code bench.x} or an environment variable {@code BENCH_X}; the defaults are what the
 * recorded run used.
 */
final class BenchEnv {

    /** Real ms per provider ms for the pipeline runs: 0.02 makes a provider second last 20 ms. */
    final double scale = decimal("scale", 0.02);
    /** The baseline sleeps most of its time; it runs at its own scale to keep the whole bench short. */
    final double baselineScale = decimal("baseline.scale", 0.01);
    final int jobs = integer("jobs", 200);
    final int slots = integer("slots", 5);
    final int backlogFiles = integer("backlog.files", 10_000);
    final int backlogTimeoutSeconds = integer("backlog.timeout", 180);
    /**
     * Intake settings of the backlog-tuned scenario ("key=value key=value"): not the shipped defaults, but what
     * the backlog scenario's result suggests, to show what a change would do.
     */
    final Map<String, String> backlogProps = pairs(string("backlog.props",
            "sora.intake.max-files-per-poll=1000 sora.intake.poll-delay-ms=100"));
    final long streamBytes = Long.parseLong(string("stream.bytes", "1000000000"));
    final int startupRuns = integer("startup.runs", 5);
    /** The pipeline's runtime classpath: the jars of the packaged app's lib/ (bench/run.sh unpacks it), no test classes. */
    final String appClasspath = string("appcp", null);
    /** The unpacked distribution whose bin/sora-camel the start-up scenario runs (bench/run.sh unpacks it); null: none. */
    final Path distribution = string("dist", null) == null ? null : Path.of(string("dist", null)).toAbsolutePath();
    final Path root = Path.of(string("dir", "target/bench")).toAbsolutePath();
    final Path runDir;

    BenchEnv() throws IOException {
        if (appClasspath == null) {
            throw new IllegalStateException("bench.appcp is not set: run bench/run.sh");
        }
        runDir = root.resolve("run-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(runDir);
    }

    /**
     * The tick (how often the submit and poll routes ask whether something is due) shrinks with the clock, so
     * it keeps its production proportion: 100 ms against a 1 s call spacing.
     */
    String tickMs(double scale) {
        return String.valueOf(Math.max(1, Math.round(100 * scale)));
    }

    /** Settings common to every pipeline run against the bench's sandbox: live mode, production intake. */
    Map<String, String> pipelineProps(Path dir, double scale) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("sora.sandbox.enabled", "false");
        p.put("sora.time-scale", String.valueOf(scale));
        p.put("sora.inbox", dir.resolve("inbox").toString());
        p.put("sora.archive", dir.resolve("archive").toString());
        p.put("sora.outbox", dir.resolve("outbox").toString());
        p.put("sora.dead-letter.folder", dir.resolve("dead-letter").toString());
        p.put("sora.work", dir.resolve("work").toString());
        p.put("sora.tick-ms", tickMs(scale));
        p.put("sora.validation.check-image", "false");
        return p;
    }

    /** One Yes Ai provider instance, {@code yesai}, pointing at the sandbox. */
    static void yesai(Map<String, String> p, String baseUrl, int slots) {
        p.put("sora.providers", "yesai");
        p.put("sora.default-provider", "yesai");
        p.put("sora.provider.yesai.type", "yesai");
        p.put("sora.provider.yesai.base-url", baseUrl);
        p.put("sora.provider.yesai.token", "sandbox-token");
        p.put("sora.provider.yesai.tariff", String.valueOf(slots));
    }

    /** One OpenAI-compatible provider instance, {@code oai}, pointing at the sandbox's /v1/videos. */
    static void openai(Map<String, String> p, String baseUrl, int slots, String pollInterval) {
        p.put("sora.providers", "oai");
        p.put("sora.default-provider", "oai");
        p.put("sora.provider.oai.type", "openai-compatible");
        p.put("sora.provider.oai.base-url", baseUrl);
        p.put("sora.provider.oai.token", "sandbox-token");
        p.put("sora.provider.oai.tariff", String.valueOf(slots));
        p.put("sora.provider.oai.poll-interval", pollInterval);
    }

    private static Map<String, String> pairs(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : text.trim().split("\\s+")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    private static String string(String key, String def) {
        String v = System.getProperty("bench." + key);
        if (v == null) {
            v = System.getenv("BENCH_" + key.toUpperCase().replace('.', '_'));
        }
        return v == null || v.isBlank() ? def : v;
    }

    private static double decimal(String key, double def) {
        return Double.parseDouble(string(key, String.valueOf(def)));
    }

    private static int integer(String key, int def) {
        return Integer.parseInt(string(key, String.valueOf(def)));
    }
}
