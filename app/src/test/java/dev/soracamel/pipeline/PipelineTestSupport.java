package dev.soracamel.pipeline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.app.Application;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the real routes and beans against the sandbox, with every folder in a temporary directory and the
 * provider schedule scaled by {@link #timeScale()} on both sides. Only delays shrink: limits, attempt caps
 * and the logic are the production ones.
 */
abstract class PipelineTestSupport extends CamelMainTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * This test's folders, under target/ so that a clean build removes them. Created on first use: Camel's
     * test support reads the properties from its constructor, before any field of ours is set.
     */
    Path dir;

    private Path dir() {
        if (dir == null) {
            try {
                Path base = Path.of("target", "test-work");
                Files.createDirectories(base);
                dir = Files.createTempDirectory(base, getClass().getSimpleName() + "-").toAbsolutePath();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return dir;
    }

    @Override
    protected Class<?> getMainClass() {
        return Application.class;
    }

    /** 0.01: one provider second lasts 10 ms; a 60 s first-check delay takes 0.6 s. */
    protected double timeScale() {
        return 0.01;
    }

    protected int activeTasks() {
        return 3;
    }

    /** The standalone run's settings, as Application reads them (they are not at the classpath's root). */
    @Override
    protected String getPropertyPlaceholderLocations() {
        return "classpath:dev/soracamel/app/application.properties";
    }

    private int httpPort;

    /**
     * Turns on the embedded HTTP server (REST, the operator page) on a free loopback port, the same one across the
     * test's restarts, and returns it.
     */
    protected int serveHttp(Properties p) {
        if (httpPort == 0) {
            try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                httpPort = s.getLocalPort();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        p.put("camel.server.enabled", "true");
        p.put("camel.server.port", String.valueOf(httpPort));
        return httpPort;
    }

    /** Extra properties of a test class. */
    protected void configure(Properties p) {
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = new Properties();
        Path dir = dir();
        p.put("sora.inbox", dir.resolve("inbox").toString());
        // relative, as a user would write it: the archive must still land beside the inbox, not inside it
        p.put("sora.archive", Path.of("").toAbsolutePath().relativize(dir.resolve("archive")).toString());
        p.put("sora.outbox", dir.resolve("outbox").toString());
        p.put("sora.dead-letter.folder", dir.resolve("dead-letter").toString());
        p.put("sora.work", dir.resolve("work").toString());
        p.put("sora.sandbox.enabled", "true");
        p.put("sora.sandbox.time-scale", String.valueOf(timeScale()));
        p.put("sora.sandbox.active-tasks", String.valueOf(activeTasks()));
        p.put("sora.provider.yesai.tariff", String.valueOf(activeTasks()));
        p.put("sora.sandbox.examples", "");
        p.put("sora.sandbox.exit-when-idle", "false");
        p.put("sora.tick-ms", "5");
        p.put("sora.intake.poll-delay-ms", "50");
        p.put("sora.intake.read-lock-check-interval-ms", "50");
        p.put("sora.intake.read-lock-min-age-ms", "100");
        p.put("sora.download.retry-delay-ms", "50");
        p.put("sora.progress.interval-ms", "2000");
        p.put("sora.validation.check-image", "false");
        // a stopping context waits for each download consumer's poll to time out (1 s by default), and tests
        // stop one or more contexts each
        p.put("camel.component.seda.default-poll-timeout", "100");
        configure(p);
        return p;
    }

    private final List<CamelContext> restarted = new ArrayList<>();

    /**
     * Stops the running CamelContext as a process is stopped (in-flight steps finish, the job store stays)
     * and starts a new one on the same folders: a restart. {@code change} may alter the new run's properties,
     * as a person editing the configuration between runs would.
     */
    protected void restart(Consumer<Properties> change) throws Exception {
        context.stop();
        Properties p = useOverridePropertiesWithPropertiesComponent();
        change.accept(p);
        camelContextConfiguration().withUseOverridePropertiesWithPropertiesComponent(p);
        CamelContext next = createCamelContext();
        restarted.add(next);
        next.start();
        context = (ModelCamelContext) next;
    }

    @AfterEach
    void stopRestarted() {
        restarted.forEach(CamelContext::stop);
    }

    SandboxServer sandbox() {
        return context.getRegistry().lookupByNameAndType("soraSandbox", SandboxServer.class);
    }

    JobBoard board() {
        return context.getRegistry().lookupByNameAndType("soraBoard", JobBoard.class);
    }

    /** Drops a request file the way a well-behaved writer does: a temporary name, then a rename. */
    void drop(String fileName, String content) throws IOException {
        Path inbox = dir.resolve("inbox");
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve(fileName + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, inbox.resolve(fileName), StandardCopyOption.ATOMIC_MOVE);
    }

    static String request(String version, String prompt, int resolution, int duration, String customer) {
        return """
                {"version": "%s", "prompt": "%s", "resolution": %d, "dimensions": "16:9", "duration": %d,
                 "customer_id": "%s"}""".formatted(version, prompt, resolution, duration, customer);
    }

    static String v2(String prompt, String customer) {
        return request("2", prompt, 720, 10, customer);
    }

    Path stored(String customer, String requestId) {
        return dir.resolve("outbox").resolve(customer).resolve(requestId + ".mp4");
    }

    /**
     * The dead letter of a job ({@code <id>.error.json}) or, for a request rejected at intake, the newest of
     * its rejections ({@code <id>~<digest>.error.json}: a rejected input never became a job, so each
     * rejection has a name of its own).
     */
    Path errorOf(String id) {
        Path job = dir.resolve("dead-letter").resolve(id + ".error.json");
        if (Files.exists(job)) {
            return job;
        }
        return rejection(id, true).orElse(job);
    }

    /** The original kept beside a rejection's reason (what was read of the input, or the request). */
    Path originalOf(String id) {
        Path job = dir.resolve("dead-letter").resolve(id + ".json");
        if (Files.exists(job)) {
            return job;
        }
        return rejection(id, false).orElse(job);
    }

    /** Every rejection dead letter ({@code .error.json}) of this id, oldest first. */
    List<Path> rejections(String id) throws IOException {
        Path folder = dir.resolve("dead-letter");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().startsWith(id + "~")
                    && f.getFileName().toString().endsWith(".error.json")).sorted().toList();
        }
    }

    private java.util.Optional<Path> rejection(String id, boolean reason) {
        Path folder = dir.resolve("dead-letter");
        if (!Files.isDirectory(folder)) {
            return java.util.Optional.empty();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(id + "~") && !n.startsWith(".") && n.endsWith(".error.json") == reason;
            }).max(java.util.Comparator.comparing(Path::toString));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    JsonNode error(String id) throws IOException {
        return JSON.readTree(errorOf(id).toFile());
    }

    JsonNode metadata(String customer, String requestId) throws IOException {
        return JSON.readTree(dir.resolve("outbox").resolve(customer).resolve(requestId + ".json").toFile());
    }

    long count(Path folder, String suffix) throws IOException {
        if (!Files.isDirectory(folder)) {
            return 0;
        }
        for (int attempt = 1; ; attempt++) {
            try (Stream<Path> files = Files.walk(folder)) {
                return files.filter(f -> f.getFileName().toString().endsWith(suffix)
                        && !f.getFileName().toString().startsWith(".")).count();
            } catch (java.io.UncheckedIOException e) {
                // a temporary file was renamed while we walked the folder: look again
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    long storedCount() throws IOException {
        return count(dir.resolve("outbox"), ".mp4");
    }

    long deadCount() throws IOException {
        return count(dir.resolve("dead-letter"), ".error.json");
    }

    /** Waits until {@code n} requests ended (stored or dead-lettered) and nothing is under way. */
    void awaitSettled(long n, Duration timeout) throws Exception {
        await(() -> {
            try {
                return storedCount() + deadCount() >= n && board().queries().idle() && inboxEmpty();
            } catch (IOException e) {
                return false;
            }
        }, timeout, () -> "stored=" + safe(this::storedCount) + " dead=" + safe(this::deadCount) + " "
                + board().queries().counts());
    }

    boolean inboxEmpty() throws IOException {
        Path inbox = dir.resolve("inbox");
        if (!Files.isDirectory(inbox)) {
            return true;
        }
        try (Stream<Path> files = Files.list(inbox)) {
            return files.noneMatch(Files::isRegularFile);
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, java.util.function.Supplier<String> state)
            throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + timeout + ": " + state.get());
            }
            Thread.sleep(20);
        }
    }

    interface IoLong {
        long get() throws IOException;
    }

    static String safe(IoLong f) {
        try {
            return String.valueOf(f.get());
        } catch (IOException e) {
            return "?";
        }
    }

    /** The provider saw no breach of any rule: rate, task limit, early or surplus checks. */
    void assertNoBreaches() {
        assertThat(sandbox().stats().breaches()).as("sandbox breaches: " + sandbox().stats().toJson()).isZero();
    }

    static boolean isMp4(Path file) throws IOException {
        byte[] head = new byte[8];
        try (var in = Files.newInputStream(file)) {
            if (in.readNBytes(head, 0, 8) < 8) {
                return false;
            }
        }
        return new String(head, 4, 4, StandardCharsets.US_ASCII).equals("ftyp");
    }

    List<String> archived() throws IOException {
        Path archive = dir.resolve("archive");
        if (!Files.isDirectory(archive)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(archive)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).toList();
        }
    }
}
