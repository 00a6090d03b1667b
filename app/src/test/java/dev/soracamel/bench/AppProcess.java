package dev.soracamel.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The standalone pipeline ({@code java -cp ... dev.soracamel.app.Application}) as a child process of the bench:
 * its own JVM, its own heap cap and GC log, settings as {@code -D} properties, exactly as a user runs it.
 * Every line it prints is timestamped on arrival and copied to {@code app.log}. It is stopped by its own
 * PID only (SIGTERM, then SIGKILL if it does not stop within a minute), also when the bench is interrupted.
 */
final class AppProcess implements AutoCloseable {

    private static final List<AppProcess> LIVE = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(AppProcess::close), "bench-stop-children"));
    }

    /** A line of the pipeline's output and when the bench read it ({@link System#nanoTime()}). */
    /** The pipeline's routes are all running: SoraPipeline logs this once they were added from the templates. */
    static boolean ready(String line) {
        return line.contains(" ready: ") && line.contains(" routes running");
    }

    record Line(long nanos, String text) {
    }

    /** Counts lines that contain a text, from the moment it is made; remembers when the last one came. */
    static final class Counter {
        final String text;
        final AtomicInteger count = new AtomicInteger();
        final AtomicLong lastNanos = new AtomicLong();

        Counter(String text) {
            this.text = text;
        }
    }

    final Process process;
    final long startNanos;
    final Path log;
    final Path gcLog;
    private final List<Line> lines = new ArrayList<>();
    private final List<Counter> counters = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private AppProcess(Process process, long startNanos, Path log, Path gcLog) {
        this.process = process;
        this.startNanos = startNanos;
        this.log = log;
        this.gcLog = gcLog;
        this.reader = new Thread(this::read, "bench-app-output-" + process.pid());
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /**
     * Starts the pipeline in {@code dir} (its log and GC log go there).
     *
     * @param jvm   JVM options such as {@code -Xmx64m}
     * @param props the pipeline's settings, passed as {@code -Dkey=value}
     */
    static AppProcess start(Path dir, String classpath, List<String> jvm, Map<String, String> props) throws IOException {
        Files.createDirectories(dir);
        Path gc = dir.resolve("gc.log");
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm);
        cmd.add("-Xlog:gc:file=" + gc);
        cmd.add("-cp");
        cmd.add(classpath);
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("dev.soracamel.app.Application");
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().remove("SORA_YESAI_TOKEN"); // the bench never talks to a real provider
        long t0 = System.nanoTime();
        Process p = pb.start();
        AppProcess app = new AppProcess(p, t0, dir.resolve("app.log"), gc);
        LIVE.add(app);
        return app;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Starts the packaged app through its launcher, {@code bin/sora-camel} of the unpacked distribution, in
     * {@code dir} (SORA_BASE): JVM options and settings go in JAVA_OPTS, as an operator passes them.
     *
     * @param env more of the launcher's environment (SORA_CDS)
     */
    static AppProcess launch(Path dir, Path distribution, Map<String, String> env, List<String> jvm,
                             Map<String, String> props) throws IOException {
        Files.createDirectories(dir);
        Path gc = dir.resolve("gc.log");
        List<String> opts = new ArrayList<>(jvm);
        opts.add("-Xlog:gc:file=" + gc);
        props.forEach((k, v) -> opts.add("-D" + k + "=" + v));
        if (opts.stream().anyMatch(o -> o.contains(" "))) {
            throw new IllegalArgumentException("JAVA_OPTS is split at spaces: " + opts);
        }
        ProcessBuilder pb = new ProcessBuilder(distribution.resolve("bin/sora-camel").toString())
                .directory(dir.toFile()).redirectErrorStream(true);
        // the bench never talks to a real provider, and no setting of the caller's leaks in
        pb.environment().keySet().removeIf(k -> k.startsWith("SORA_") || k.equals("JAVA_OPTS"));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", String.join(" ", opts));
        pb.environment().put("SORA_BASE", dir.toString());
        pb.environment().putAll(env);
        long t0 = System.nanoTime();
        Process p = pb.start();
        AppProcess app = new AppProcess(p, t0, dir.resolve("app.log"), gc);
        LIVE.add(app);
        return app;
    }

    Counter counter(String text) {
        Counter c = new Counter(text);
        counters.add(c);
        return c;
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String text;
            while ((text = in.readLine()) != null) {
                long now = System.nanoTime();
                out.write(text);
                out.newLine();
                for (Counter c : counters) {
                    if (text.contains(c.text)) {
                        c.count.incrementAndGet();
                        c.lastNanos.set(now);
                    }
                }
                synchronized (lines) {
                    lines.add(new Line(now, text));
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // the process ended; what was read is kept
        } finally {
            synchronized (lines) {
                lines.notifyAll();
            }
        }
    }

    /** The first line that matches, waiting for it; null if the process ended or the time ran out first. */
    Line await(Predicate<String> match, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (match.test(lines.get(seen).text())) {
                        return lines.get(seen);
                    }
                }
                long left = end - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && !reader.isAlive())) {
                    return null;
                }
                lines.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 200)));
            }
        }
    }

    /** Lines read so far that contain {@code text}. */
    List<Line> linesContaining(String text) {
        synchronized (lines) {
            return lines.stream().filter(l -> l.text().contains(text)).toList();
        }
    }

    /** Waits for the process to exit by itself; returns its exit code, or null if it did not within the time. */
    Integer waitExit(Duration timeout) throws InterruptedException {
        if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            reader.join(5000);
            LIVE.remove(this);
            return process.exitValue();
        }
        return null;
    }

    /** SIGTERM to this process (its own PID), a minute to shut down gracefully, then SIGKILL. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            LIVE.remove(this);
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            reader.join(5000);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
    }

    /** Heap figures from the GC log: the largest heap seen just before a GC, the largest live set after one. */
    record Heap(long gcs, double peakBeforeGcMb, double maxAfterGcMb, double maxCommittedMb, boolean outOfMemory) {
        String describe() {
            return gcs == 0 ? "no GC ran" : String.format("peak %.0f MB used before a GC, max %.0f MB live after a GC "
                    + "(%d GCs, %.0f MB committed)", peakBeforeGcMb, maxAfterGcMb, gcs, maxCommittedMb);
        }
    }

    private static final java.util.regex.Pattern GC_LINE =
            java.util.regex.Pattern.compile("(\\d+)([KMG])->(\\d+)([KMG])\\((\\d+)([KMG])\\)");

    Heap heap() {
        long gcs = 0;
        double before = 0;
        double after = 0;
        double committed = 0;
        try {
            if (Files.exists(gcLog)) {
                for (String l : Files.readAllLines(gcLog)) {
                    var m = GC_LINE.matcher(l);
                    if (m.find()) {
                        gcs++;
                        before = Math.max(before, mb(m.group(1), m.group(2)));
                        after = Math.max(after, mb(m.group(3), m.group(4)));
                        committed = Math.max(committed, mb(m.group(5), m.group(6)));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean oom = !linesContaining("OutOfMemoryError").isEmpty();
        return new Heap(gcs, before, after, committed, oom);
    }

    private static double mb(String n, String unit) {
        double v = Double.parseDouble(n);
        return switch (unit) {
            case "K" -> v / 1024;
            case "G" -> v * 1024;
            default -> v;
        };
    }
}
