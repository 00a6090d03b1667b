package dev.soracamel.bench;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import dev.soracamel.sandbox.TaskRecord;

/**
 * One 1 GB video through the real pipeline with its heap capped at 64 MB: it must pass, and as fast as a
 * plain copy of the same link over loopback (curl, and Java's HttpClient, into a file).
 */
final class StreamingScenario {

    private static final String SCENARIO = "Streaming (1 GB video, heap capped at 64 MB)";

    private StreamingScenario() {
    }

    static void run(BenchEnv env, Report report) throws Exception {
        Path dir = env.runDir.resolve("streaming");
        long bytes = env.streamBytes;
        double scale = env.scale;
        // the link outlives the reference copies made after the pipeline's run
        SandboxConfig cfg = new SandboxConfig().timeScale(scale).activeTaskLimit(1).linkTtlSeconds(1e7);
        try (SandboxServer sandbox = SandboxServer.start(cfg)) {
            Map<String, String> props = env.pipelineProps(dir, scale);
            BenchEnv.yesai(props, sandbox.baseUrl(), 1);
            props.put("sora.exit-when-idle", "true");
            System.out.printf("[streaming] one video of %d bytes, pipeline heap -Xmx64m%n", bytes);
            Path part = dir.resolve("work/downloads/job-00001.mp4.part");
            Path stored = dir.resolve("outbox/bench/job-00001.mp4");
            Path writing = dir.resolve("outbox/bench/.writing-job-00001.mp4");
            AtomicLong partSeen = new AtomicLong();
            AtomicLong partDone = new AtomicLong();
            AtomicLong writingSeen = new AtomicLong();
            AtomicLong storedSeen = new AtomicLong();
            Integer exit;
            AppProcess.Heap heap;
            try (AppProcess app = AppProcess.start(dir, env.appClasspath, List.of("-Xmx64m"), props)) {
                if (app.await(AppProcess::ready, Duration.ofSeconds(60)) == null) {
                    throw new IllegalStateException("the pipeline did not start; see " + app.log);
                }
                sync();
                Requests.drop(dir.resolve("inbox"), List.of(Requests.yesai(1, " [sandbox:bytes=" + bytes + "]")));
                // when the part file appears and holds the whole video, when the store's temporary file and the
                // stored file appear: splits the time into download and store
                Thread watch = new Thread(() -> {
                    while (app.process.isAlive() && storedSeen.get() == 0) {
                        try {
                            long now = System.currentTimeMillis();
                            if (partSeen.get() == 0 && Files.exists(part)) {
                                partSeen.set(now);
                            }
                            if (partDone.get() == 0 && Files.exists(part) && Files.size(part) >= bytes) {
                                partDone.set(now);
                            }
                            if (writingSeen.get() == 0 && Files.exists(writing)) {
                                writingSeen.set(now);
                            }
                            if (Files.exists(stored)) {
                                storedSeen.set(now);
                            }
                            Thread.sleep(2);
                        } catch (Exception ignored) {
                            // a file was moved or deleted between two calls
                        }
                    }
                }, "bench-part-watch");
                watch.setDaemon(true);
                watch.start();
                exit = app.waitExit(Duration.ofSeconds(600));
                heap = app.heap();
            }
            TaskRecord task = sandbox.stats().tasks().get(0);
            JsonNode meta = Requests.metadata(dir.resolve("outbox")).stream().findFirst().orElse(null);
            boolean ok = exit != null && exit == 0 && meta != null && Files.exists(stored) && Files.size(stored) == bytes
                    && isMp4(stored) && !heap.outOfMemory();
            long storedAt = meta == null ? 0 : Instant.parse(meta.path("storedAt").asText()).toEpochMilli();
            double seconds = (storedAt - task.downloadedAtMillis()) / 1000.0;
            double pipeMbs = bytes / 1e6 / seconds;
            long t0 = task.downloadedAtMillis();

            // the same link, copied plainly, once the pipeline is done with it
            String url = resultUrl(sandbox.baseUrl(), cfg.getToken(), task.taskId());
            Path ref = dir.resolve("reference.mp4");
            List<Double> curls = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                sync();
                curls.add(curl(url, ref, bytes));
                Files.deleteIfExists(ref);
            }
            double curl = Schedule.median(curls);
            sync();
            double java = javaCopy(url, ref, bytes);
            Files.deleteIfExists(ref);
            sync();
            // what the pipeline does: a download into a part file, then a copy of it into the store folder
            long c0 = System.nanoTime();
            Path copy = dir.resolve("reference-copy.mp4");
            javaCopy(url, ref, bytes);
            Files.copy(ref, copy);
            double copyMbs = bytes / 1e6 / ((System.nanoTime() - c0) / 1e9);
            Files.deleteIfExists(ref);
            Files.deleteIfExists(copy);
            Files.deleteIfExists(stored); // 1 GB is not worth keeping
            double loop = Double.isNaN(curl) ? java : Math.max(curl, java);

            report.row(SCENARIO, "stored whole with -Xmx64m", ok ? "yes: " + bytes + " bytes, an MP4, exit 0" :
                    "NO (exit " + exit + ", OOM " + heap.outOfMemory() + ")", "passes", ok);
            report.info(SCENARIO, "pipeline heap", heap.describe());
            report.row(SCENARIO, "download + store speed vs loopback copy", String.format("%.0f MB/s = %.0f%% of %.0f MB/s",
                    pipeMbs, 100 * pipeMbs / loop, loop), "≥ 80%", ok && pipeMbs >= 0.8 * loop);
            report.row("Streaming to S3 (heap capped)", "S3 storage", "measured by bench/s3-heap.sh", "see \"S3 storage keeps memory flat\" below",
                    null);
            report.detail(SCENARIO, String.format("pipeline: %.2f s from the provider's first byte to the stored metadata "
                    + "(%.0f MB/s); seen by polling the folders every 2 ms, after the first byte: part file created %s, "
                    + "part file complete %s, store's temporary file created %s, video stored %s", seconds, pipeMbs,
                    at(partSeen, t0), at(partDone, t0), at(writingSeen, t0), at(storedSeen, t0)));
            report.detail(SCENARIO, String.format("loopback copy of the same link into a file: curl %.0f MB/s (median of "
                    + "3: %s), Java HttpClient %.0f MB/s; the faster is the reference; Java download then a copy to a "
                    + "second file (what the pipeline's store step does) %.0f MB/s", curl,
                    curls.stream().map(c -> String.format("%.0f", c)).toList(), java, copyMbs));
            report.detail(SCENARIO, "the sandbox makes the video on the fly (the sample MP4 padded with a free box), "
                    + "so source and target share the 2 cores; page cache flushed (sync) before each measured copy");
        }
    }

    private static String at(AtomicLong t, long t0) {
        return t.get() == 0 ? "(not seen)" : String.format("+%.2f s", (t.get() - t0) / 1000.0);
    }

    private static String resultUrl(String base, String token, String taskId) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v2/yesvideo/animations/" + taskId))
                .header("Authorization", "Bearer " + token).GET().build();
        JsonNode status = Requests.JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
        return status.path("results").path("animation_data").path("result_url").asText();
    }

    /** MB/s of curl copying the link into a file; NaN if curl is not installed. */
    private static double curl(String url, Path file, long bytes) throws Exception {
        Files.deleteIfExists(file);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = new ProcessBuilder("curl", "-sS", "--fail", "-o", file.toString(), url).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return Double.NaN;
        }
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        int rc = p.waitFor();
        double s = (System.nanoTime() - t0) / 1e9;
        if (rc != 0 || Files.size(file) != bytes) {
            throw new IllegalStateException("curl failed: exit " + rc);
        }
        return bytes / 1e6 / s;
    }

    private static double javaCopy(String url, Path file, long bytes) throws Exception {
        Files.deleteIfExists(file);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long t0 = System.nanoTime();
        HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(),
                HttpResponse.BodyHandlers.ofFile(file));
        double s = (System.nanoTime() - t0) / 1e9;
        if (r.statusCode() != 200 || Files.size(file) != bytes) {
            throw new IllegalStateException("Java copy failed: HTTP " + r.statusCode());
        }
        return bytes / 1e6 / s;
    }

    private static void sync() throws Exception {
        new ProcessBuilder("sync").start().waitFor();
    }

    private static boolean isMp4(Path f) throws Exception {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] h = in.readNBytes(8);
            return h.length == 8 && h[4] == 'f' && h[5] == 't' && h[6] == 'y' && h[7] == 'p';
        }
    }
}
