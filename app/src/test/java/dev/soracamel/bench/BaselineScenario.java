package dev.soracamel.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import dev.soracamel.sandbox.SandboxStats;
import dev.soracamel.sandbox.TaskRecord;

/**
 * The simple approach users write by hand: seed 001's Python sample, {@code generate_video(prompt)}, in
 * Java, one job after another. Faithful to the sample: create, then check at once and every 10 s until
 * {@code completed} or {@code failed}, no first-check delay, no rate or slot bookkeeping, no timeouts, no
 * retries. Where the sample stops (it returns the content URL) the baseline downloads the video to a file,
 * streamed, which is what the caller of the sample has to do next; that is kinder than reading it into
 * memory as {@code requests.get(url).content} would.
 */
final class BaselineScenario {

    private BaselineScenario() {
    }

    static void run(BenchEnv env, Report report) throws Exception {
        double scale = env.baselineScale;
        int n = env.jobs;
        Path dir = env.runDir.resolve("baseline");
        Path out = dir.resolve("videos");
        Files.createDirectories(out);
        SandboxConfig cfg = new SandboxConfig().timeScale(scale).activeTaskLimit(env.slots);
        System.out.printf("[baseline] %d jobs one at a time, time scale %s (the sample's 10 s sleep = %.0f ms)%n", n,
                scale, 10_000 * scale);
        Map<String, Long> storedAt = new HashMap<>();
        int failed = 0;
        try (SandboxServer sandbox = SandboxServer.start(cfg)) {
            Loop loop = new Loop(sandbox.baseUrl(), cfg.getToken(), scale);
            for (int i = 1; i <= n; i++) {
                String id = loop.generateVideo("bench job %05d: a red fox crosses a snowy field at dawn".formatted(i),
                        out.resolve("job-%05d.mp4".formatted(i)));
                if (id == null) {
                    failed++;
                } else {
                    storedAt.put(id, System.currentTimeMillis());
                }
            }
            SandboxStats st = sandbox.stats();
            List<Schedule.Task> tasks = new ArrayList<>();
            for (TaskRecord t : st.tasks()) {
                Long stored = storedAt.get(t.taskId());
                if (stored != null && t.finalAtMillis() > 0) {
                    tasks.add(new Schedule.Task(t.taskId(), t.createdAtMillis(), t.finalAtMillis(),
                            t.downloadedAtMillis(), stored, t.checks(), t.earlyChecks()));
                }
            }
            Schedule s = new Schedule(tasks, scale, new Schedule.Rules(env.slots, 1.0, 30, 10));
            compare(report, s, st, n, failed, (ScheduleScenario.Result) report.shared.get("openai"));
        }
    }

    /** The sample's create / get-status / poll loop, with the download its caller does next. */
    static final class Loop {
        private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final String base;
        private final String token;
        private final double scale;

        Loop(String base, String token, double scale) {
            this.base = base;
            this.token = token;
            this.scale = scale;
        }

        /** create_video(prompt): POST /v1/videos with the sample's defaults. */
        JsonNode createVideo(String prompt) throws IOException, InterruptedException {
            String body = Requests.JSON.writeValueAsString(Map.of("model", "sora-2", "prompt", prompt,
                    "size", "1280x720", "seconds", "4"));
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/videos"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            return Requests.JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
        }

        /** get_video_status(task_id): GET /v1/videos/{id}. */
        JsonNode getVideoStatus(String id) throws IOException, InterruptedException {
            HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/videos/" + id))
                    .header("Authorization", "Bearer " + token).GET().build();
            return Requests.JSON.readTree(http.send(req, HttpResponse.BodyHandlers.ofString()).body());
        }

        /** generate_video(prompt), then the download of the URL it returns. @return the task id, or null */
        String generateVideo(String prompt, Path file) throws IOException, InterruptedException {
            JsonNode result = createVideo(prompt);
            String taskId = result.path("id").asText(null);
            while (true) {
                JsonNode status = getVideoStatus(taskId);
                String s = status.path("status").asText("");
                if (s.equals("completed")) {
                    String videoUrl = base + "/v1/videos/" + taskId + "/content";
                    HttpRequest req = HttpRequest.newBuilder(URI.create(videoUrl))
                            .header("Authorization", "Bearer " + token).GET().build();
                    HttpResponse<Path> r = http.send(req, HttpResponse.BodyHandlers.ofFile(file));
                    return r.statusCode() == 200 ? taskId : null;
                } else if (s.equals("failed")) {
                    return null;
                }
                Thread.sleep(Math.round(10_000 * scale)); // time.sleep(10)
            }
        }
    }

    private static void compare(Report r, Schedule b, SandboxStats st, int n, int failed, ScheduleScenario.Result pipe) {
        double bMs = b.makespan();
        double bPer = (double) b.totalChecks() / b.tasks.size();
        double[] bl = b.latencyMs();
        r.detail("Baseline (seed 001 loop)", String.format("%d of %d stored (%d failed); makespan %.0f provider s = %.1f s "
                        + "real; %.2f status checks per job (minimum %.2f); breaches %d (early checks %d, rates %d + %d, "
                        + "task limit %d); peak active tasks %d of %d allowed", b.tasks.size(), n, failed, bMs,
                b.makespanRealSeconds(), bPer, (double) b.totalMinimum() / b.tasks.size(), st.breaches(), st.earlyChecks(),
                st.postRateBreaches(), st.statusRateBreaches(), st.taskLimitBreaches(), st.maxActiveObserved(),
                b.rules.slots()));
        r.detail("Baseline (seed 001 loop)", String.format("its makespan is %.2f × the quota lower bound (%.0f s): one "
                + "slot of %d used; latency completion → stored p50 %.1f s, p99 %.1f s provider time", bMs / b.quotaBound(),
                b.quotaBound(), b.rules.slots(), b.provider(Schedule.pct(bl, 50)), b.provider(Schedule.pct(bl, 99))));
        r.detail("Baseline (seed 001 loop)", String.format("its %d status-rate breaches are the first check of a job "
                + "(sent at once after the create) coming less than 1 provider second after the last check of the "
                + "previous job: a download and a create apart, %.0f ms real at this scale; against a real provider a "
                + "download takes longer, so these depend on the scale. Its early checks do not: the sample checks "
                + "at once and 10 s later, both before the 30 s a sora-2 task needs", st.statusRateBreaches(),
                1000 * b.scale));
        if (pipe == null) {
            r.detail("Baseline (seed 001 loop)", "the like-for-like pipeline run (scenario openai) was not part of this "
                    + "invocation, so there is no side-by-side table");
            return;
        }
        Schedule p = pipe.schedule();
        SandboxStats ps = pipe.stats();
        double pMs = p.makespan();
        r.versus.add(new Report.Versus("jobs stored", pipe.stored() + " of " + n, b.tasks.size() + " of " + n, ""));
        r.versus.add(new Report.Versus("makespan, provider time", String.format("%.0f s", pMs),
                String.format("%.0f s", bMs), String.format("%.1f×", bMs / pMs)));
        r.versus.add(new Report.Versus("makespan / quota lower bound", String.format("%.2f", pMs / p.quotaBound()),
                String.format("%.2f", bMs / b.quotaBound()), ""));
        // every status GET sent, the ones the provider refused with 429 included
        double pCalls = (double) ps.statusChecks() / n;
        double bCalls = (double) st.statusChecks() / n;
        r.versus.add(new Report.Versus("status GETs sent per job (minimum)", String.format("%.2f (%.2f)", pCalls,
                (double) p.totalMinimum() / p.tasks.size()), String.format("%.2f (%.2f)", bCalls,
                (double) b.totalMinimum() / b.tasks.size()), String.format("%.2f×", bCalls / pCalls)));
        r.versus.add(new Report.Versus("limit breaches", String.valueOf(ps.breaches()),
                String.format("%d (%d early checks, %d status GETs under 1 s apart)", st.breaches(), st.earlyChecks(),
                        st.statusRateBreaches()), ""));
        double[] pl = p.latencyMs();
        r.versus.add(new Report.Versus("completion → stored p50 / p99, provider time",
                String.format("%.1f s / %.1f s", p.provider(Schedule.pct(pl, 50)), p.provider(Schedule.pct(pl, 99))),
                String.format("%.1f s / %.1f s", b.provider(Schedule.pct(bl, 50)), b.provider(Schedule.pct(bl, 99))), ""));
        r.versus.add(new Report.Versus("peak active tasks", ps.maxActiveObserved() + " of " + p.rules.slots(),
                st.maxActiveObserved() + " of " + b.rules.slots(), ""));
    }
}
