package dev.soracamel.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;

/**
 * 10,000 request files dropped at once into the inbox of a running pipeline whose provider allows one
 * active task, so nearly all of them wait in the queue: how long until every one is accepted and queued,
 * and how much heap that takes. The intake runs with the shipped settings (config/application.properties).
 */
final class BacklogScenario {

    private static final String[] INTAKE_KEYS = {"sora.intake.poll-delay-ms", "sora.intake.read-lock-check-interval-ms",
            "sora.intake.read-lock-min-age-ms", "sora.intake.max-files-per-poll"};

    private BacklogScenario() {
    }

    static void run(BenchEnv env, Report report) throws Exception {
        run(env, report, Map.of(), "");
    }

    /**
     * @param overrides pipeline settings that differ from the shipped ones (to show what a change would do)
     * @param variant   how the scenario's name says so
     */
    static void run(BenchEnv env, Report report, Map<String, String> overrides, String variant) throws Exception {
        int n = env.backlogFiles;
        String scenario = "Backlog (" + String.format("%,d", n) + " files at once, heap capped at 256 MB" + variant + ")";
        Path dir = env.runDir.resolve(overrides.isEmpty() ? "backlog" : "backlog-tuned");
        Path inbox = dir.resolve("inbox");
        Path staging = dir.resolve("staging");
        Files.createDirectories(inbox);
        Files.createDirectories(staging);
        Properties shipped = new Properties();
        try (InputStream in = BacklogScenario.class.getResourceAsStream("/dev/soracamel/app/application.properties")) {
            shipped.load(in);
        }
        StringBuilder intake = new StringBuilder();
        for (String k : INTAKE_KEYS) {
            intake.append(intake.isEmpty() ? "" : ", ").append(k.substring("sora.intake.".length())).append(' ')
                    .append(overrides.getOrDefault(k, shipped.getProperty(k)));
        }
        // the files are written beside the inbox first, so the drop itself is a burst of renames
        List<Path> files = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Path f = staging.resolve(Requests.name(i));
            Files.writeString(f, Requests.yesai(i, ""), StandardCharsets.UTF_8);
            files.add(f);
        }
        SandboxConfig cfg = new SandboxConfig().timeScale(env.scale).activeTaskLimit(1);
        try (SandboxServer sandbox = SandboxServer.start(cfg)) {
            Map<String, String> props = env.pipelineProps(dir, env.scale);
            BenchEnv.yesai(props, sandbox.baseUrl(), 1);
            props.putAll(overrides);
            System.out.printf("[backlog] %d files, provider tariff 1, pipeline heap -Xmx256m, intake: %s%n", n, intake);
            long t0;
            long tDropped;
            AppProcess.Counter accepted;
            List<String> samples = new ArrayList<>();
            AppProcess.Heap heap;
            long jobsOnRecord;
            try (AppProcess app = AppProcess.start(dir, env.appClasspath, List.of("-Xmx256m"), props)) {
                if (app.await(AppProcess::ready, Duration.ofSeconds(60)) == null) {
                    throw new IllegalStateException("the pipeline did not start; see " + app.log);
                }
                accepted = app.counter(" accepted from ");
                t0 = System.nanoTime();
                for (Path f : files) {
                    Files.move(f, inbox.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE);
                }
                tDropped = System.nanoTime();
                long deadline = t0 + env.backlogTimeoutSeconds * 1_000_000_000L;
                long nextSample = t0 + 5_000_000_000L;
                while (accepted.count.get() < n && System.nanoTime() < deadline && app.process.isAlive()) {
                    Thread.sleep(50);
                    if (System.nanoTime() >= nextSample) {
                        samples.add(String.format("%d s: %d", (nextSample - t0) / 1_000_000_000L, accepted.count.get()));
                        nextSample += 5_000_000_000L;
                    }
                }
                jobsOnRecord = Requests.count(dir.resolve("work/jobs"), ".json");
                app.close();
                heap = app.heap();
            }
            int got = accepted.count.get();
            double seconds = (accepted.lastNanos.get() - t0) / 1e9;
            boolean all = got >= n;
            boolean heapOk = !heap.outOfMemory() && heap.peakBeforeGcMb() < 256;
            String value;
            if (all) {
                value = String.format("%.1f s", seconds);
            } else {
                double rate = got / ((System.nanoTime() - t0) / 1e9);
                value = String.format("not done: %d of %d after %d s (%.0f files/s, so about %.0f s for all)", got, n,
                        env.backlogTimeoutSeconds, rate, n / rate);
            }
            report.row(scenario, "drop → all accepted and queued", value, "< 10 s", all && seconds < 10);
            report.row(scenario, "pipeline heap", heap.describe() + (heap.outOfMemory() ? ", OUT OF MEMORY" : ""),
                    "< 256 MB", heapOk);
            report.detail(scenario, "intake settings " + (overrides.isEmpty() ? "as shipped" : "with " + overrides) + ": " + intake + "; provider tariff 1 (the queue holds "
                    + "nearly everything); the drop: " + n + " files written beside the inbox, then renamed into it in "
                    + String.format("%.2f s", (tDropped - t0) / 1e9));
            report.detail(scenario, "accepted counted from the pipeline's own log line per job (\"accepted from\"); "
                    + "job records in the store when measured: " + jobsOnRecord);
            report.detail(scenario, "accepted over time: " + String.join(", ", samples));
        }
    }
}
