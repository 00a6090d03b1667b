package dev.soracamel.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The distribution that {@code mvn package} builds, unpacked and started through its own launcher, as an operator
 * starts it: no classes from this build's class path, no settings but those of its {@code config/} and the
 * environment. Run by failsafe after {@code package} ({@code -Dsora.dist} names the tar.gz).
 */
class PackagedAppIT {

    private static Path home;
    private static Path work;

    @BeforeAll
    static void unpack() throws Exception {
        String named = System.getProperty("sora.dist");
        assertThat(named).as("-Dsora.dist (failsafe sets it)").isNotBlank();
        Path dist = Path.of(named).toAbsolutePath();
        assertThat(dist).as("the packaged app (mvn package)").isRegularFile();
        // unpacked beside the archive, afresh each run
        Path root = dist.resolveSibling("it-packaged-app");
        deleteTree(root);
        Files.createDirectories(root);
        // tar keeps the launcher's execute bit, which unpacking in Java would have to restore by hand
        Run tar = Run.start(List.of("tar", "xzf", dist.toString(), "-C", root.toString()), root, Map.of(), root.resolve("tar"));
        try {
            assertThat(tar.waitExit(60)).as("tar exit; %s", tar.stderr()).isEqualTo(0);
        } finally {
            tar.stop();
        }
        String name = dist.getFileName().toString().replaceFirst("\\.tar\\.gz$", "");
        home = root.resolve(name);
        assertThat(home.resolve("bin/sora-camel")).isExecutable();
        work = root.resolve("runs");
        Files.createDirectories(work);
    }

    @Test
    void withoutATokenOrTheSandboxFlagItStopsAtOnceAndNamesTheVariable() throws Exception {
        Path dir = work.resolve("no-token");
        Files.createDirectories(dir);
        long t0 = System.nanoTime();
        Run app = Run.start(List.of(home.resolve("bin/sora-camel").toString()), work, env(dir, ""), dir.resolve("app"));
        try {
            Integer exit = app.waitExit(30);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertThat(exit).as("exit code (null: still running after 30 s); stdout: %s", app.stdout()).isNotNull().isNotZero();
            assertThat(seconds).as("seconds to the refusal").isLessThan(15);
            String err = app.stderr();
            assertThat(err).contains("SORA_YESAI_TOKEN").contains("SORA_SANDBOX_ENABLED=true");
            // one sentence for the operator, no stack trace under it
            assertThat(err).doesNotContain("\tat ").doesNotContain("Exception in thread");
            assertThat(err.strip().lines().count()).isEqualTo(1);
            assertThat(app.stdout()).doesNotContain("LIVE MODE");
        } finally {
            app.stop();
        }
    }

    @Test
    void itReadsTheSettingsFileItIsGiven() throws Exception {
        Path dir = work.resolve("settings-file");
        Files.createDirectories(dir);
        // the shipped copy with one value an operator got wrong: the refusal proves the file was read
        Path settings = dir.resolve("application.properties");
        Files.writeString(settings, Files.readString(home.resolve("config/application.properties"))
                + "\nsora.sandbox.enabled = maybe\n");
        Map<String, String> env = env(dir, "");
        env.put("SORA_CONFIG", settings.toString());
        Run app = Run.start(List.of(home.resolve("bin/sora-camel").toString()), work, env, dir.resolve("app"));
        try {
            assertThat(app.waitExit(30)).as("exit code; stdout: %s", app.stdout()).isNotNull().isNotZero();
            assertThat(app.stderr()).contains("sora.sandbox.enabled=maybe");
        } finally {
            app.stop();
        }
    }

    @Test
    void inTheSandboxItStoresTheExampleAndExits() throws Exception {
        Path dir = work.resolve("sandbox");
        Path examples = dir.resolve("examples");
        Files.createDirectories(examples);
        Path example = home.resolve("examples/cat-on-the-beach.json");
        Files.copy(example, examples.resolve(example.getFileName()));
        JsonNode request = new ObjectMapper().readTree(example.toFile());
        String customer = request.path("customer_id").asText();
        String requestId = request.hasNonNull("request_id") ? request.get("request_id").asText() : "cat-on-the-beach";

        String opts = String.join(" ",
                "-Dsora.sandbox.time-scale=0.01",
                "-Dsora.sandbox.exit-when-idle=true",
                "-Dsora.sandbox.examples=" + examples,
                "-Dsora.inbox=" + dir.resolve("inbox"),
                "-Dsora.archive=" + dir.resolve("archive"),
                "-Dsora.outbox=" + dir.resolve("outbox"),
                "-Dsora.dead-letter.folder=" + dir.resolve("dead-letter"),
                "-Dsora.work=" + dir.resolve("work"),
                "-Xmx256m");
        Map<String, String> env = env(dir, opts);
        env.put("SORA_SANDBOX_ENABLED", "true");
        Run app = Run.start(List.of(home.resolve("bin/sora-camel").toString()), work, env, dir.resolve("app"));
        try {
            Integer exit = app.waitExit(180);
            assertThat(exit).as("exit code (null: still running after 180 s); output: %s%s", app.stdout(), app.stderr())
                    .isEqualTo(0);
        } finally {
            app.stop();
        }
        assertThat(app.stdout()).contains("SANDBOX MODE");
        Path video = dir.resolve("outbox").resolve(customer).resolve(requestId + ".mp4");
        assertThat(video).as("the stored video; output: %s", app.stdout()).isRegularFile();
        byte[] head = new byte[8];
        try (InputStream in = Files.newInputStream(video)) {
            assertThat(in.readNBytes(head, 0, 8)).isEqualTo(8);
        }
        assertThat(new String(Arrays.copyOfRange(head, 4, 8), StandardCharsets.US_ASCII)).as("an MP4's first box").isEqualTo("ftyp");
        Path metadata = video.resolveSibling(requestId + ".json");
        assertThat(metadata).isRegularFile();
        assertThat(new ObjectMapper().readTree(metadata.toFile()).isObject()).isTrue();
        // every other folder relative to SORA_BASE: nothing written into the distribution
        assertThat(home.resolve("data")).doesNotExist();
    }

    /** The caller's environment without a token or sandbox flag of its own, the test's JVM as java. */
    private static Map<String, String> env(Path base, String javaOpts) {
        Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.keySet().removeIf(k -> k.startsWith("SORA_"));
        env.remove("JAVA_OPTS");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("SORA_BASE", base.toString());
        if (!javaOpts.isEmpty()) {
            env.put("JAVA_OPTS", javaOpts);
        }
        return env;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** A child process whose output goes to files (no pipe to drain), stopped by its own PID. */
    private record Run(Process process, Path out, Path err) {

        static Run start(List<String> cmd, Path cwd, Map<String, String> env, Path logs) throws IOException {
            Path out = Path.of(logs + ".out");
            Path err = Path.of(logs + ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().clear();
            pb.environment().putAll(env);
            return new Run(pb.start(), out, err);
        }

        /** The exit code, or null if it still ran after that many seconds. */
        Integer waitExit(long seconds) throws InterruptedException {
            return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
        }

        /** SIGTERM to this process only, half a minute for a graceful stop, then SIGKILL. */
        void stop() throws InterruptedException {
            if (!process.isAlive()) {
                return;
            }
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }

        String stdout() throws IOException {
            return Files.exists(out) ? Files.readString(out) : "";
        }

        String stderr() throws IOException {
            return Files.exists(err) ? Files.readString(err) : "";
        }
    }
}
