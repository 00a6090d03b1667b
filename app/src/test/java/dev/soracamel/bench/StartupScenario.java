package dev.soracamel.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;

/**
 * The packaged application from exec to ready, several times: {@code bin/sora-camel} of the unpacked distribution
 * (bench/run.sh unpacks it), or, without one, java on the jars of its lib/. Measured to the pipeline's "ready"
 * line (Camel context started and every route of the pipeline added from its template and running; Camel's own
 * "started in" line comes before the routes are added) and to the first progress line (the first tick of the
 * progress timer, which waits 1 s). Live mode against the bench's sandbox, an empty inbox, default JVM options.
 * Then the launcher's own AppCDS archive (SORA_CDS), and the JVM flags alone for comparison.
 */
final class StartupScenario {

    private static final String SCENARIO = "Start-up (packaged app)";
    private static final Pattern CAMEL = Pattern.compile("started in (\\S+) \\(build:(\\S+) init:(\\S+) start:(\\S+)"
            + "(?: boot:(\\S+))?\\)");

    private StartupScenario() {
    }

    /** Exec → the pipeline's "ready" line, in ms, of one run with these JVM options. */
    private static double once(BenchEnv env, String name, String baseUrl, List<String> jvm) throws Exception {
        CpuMeter.awaitQuiet(30);
        Path dir = env.runDir.resolve("startup/" + name);
        Map<String, String> props = env.pipelineProps(dir, 1.0);
        BenchEnv.yesai(props, baseUrl, 3);
        try (AppProcess app = AppProcess.start(dir, env.appClasspath, jvm, props)) {
            AppProcess.Line s = app.await(AppProcess::ready, Duration.ofSeconds(60));
            if (s == null) {
                throw new IllegalStateException(name + " did not start; see " + app.log);
            }
            if (!app.linesContaining("[cds]").isEmpty()) {
                throw new IllegalStateException(name + ": the JVM could not use the archive: "
                        + app.linesContaining("[cds]").get(0).text());
            }
            return (s.nanos() - app.startNanos) / 1e6;
        }
    }

    /** The packaged app as an operator starts it, through its launcher, else java on its lib/. */
    private static AppProcess start(BenchEnv env, Path dir, Map<String, String> launcherEnv, Map<String, String> props)
            throws java.io.IOException {
        return env.distribution != null
                ? AppProcess.launch(dir, env.distribution, launcherEnv, List.of(), props)
                : AppProcess.start(dir, env.appClasspath, List.of(), props);
    }

    /**
     * The launcher with SORA_CDS: its first start makes the archive (a training run on its own simulator) and then
     * starts; the later ones start from it. @return a note, empty if all went well
     */
    private static String launcherCds(BenchEnv env, int runs, List<Double> first, List<Double> cds) {
        if (env.distribution == null) {
            return "";
        }
        Path jsa = env.runDir.resolve("startup/launcher.jsa");
        Map<String, String> cdsEnv = Map.of("SORA_CDS", jsa.toString());
        try (SandboxServer sandbox = SandboxServer.start(new SandboxConfig())) {
            for (int i = 0; i <= runs; i++) {
                CpuMeter.awaitQuiet(30);
                Path dir = env.runDir.resolve("startup/launcher-cds-" + i);
                Map<String, String> props = env.pipelineProps(dir, 1.0);
                BenchEnv.yesai(props, sandbox.baseUrl(), 3);
                try (AppProcess app = start(env, dir, cdsEnv, props)) {
                    AppProcess.Line s = app.await(AppProcess::ready, Duration.ofSeconds(120));
                    if (s == null) {
                        throw new IllegalStateException("launcher-cds-" + i + " did not start; see " + app.log);
                    }
                    List<AppProcess.Line> refused = new ArrayList<>(app.linesContaining("[cds]"));
                    refused.addAll(app.linesContaining("no start-up archive made"));
                    if (!refused.isEmpty()) {
                        throw new IllegalStateException("launcher-cds-" + i + ": " + refused.get(0).text());
                    }
                    (i == 0 ? first : cds).add((s.nanos() - app.startNanos) / 1e6);
                }
            }
            System.out.printf("[startup] bin/sora-camel with SORA_CDS: first start (making the archive) %s, then %s%n",
                    first, cds);
            return "";
        } catch (Exception e) {
            first.clear();
            cds.clear();
            return "; the launcher's AppCDS runs failed: " + e.getMessage();
        }
    }

    /**
     * What a JVM-level fix gives, code unchanged: an application class-data archive made by one training run
     * (needs the app on a classpath of jars, which bench/run.sh provides). @return a note, empty if all went well
     */
    private static String appCds(BenchEnv env, int runs, List<Double> cds, List<Double> cdsC1) {
        if (!env.appClasspath.split(java.io.File.pathSeparator)[0].endsWith(".jar")) {
            return "";
        }
        Path jsa = env.runDir.resolve("startup/app.jsa");
        try (SandboxServer sandbox = SandboxServer.start(new SandboxConfig())) {
            Path dir = env.runDir.resolve("startup/cds-training");
            Map<String, String> props = env.pipelineProps(dir, 1.0);
            BenchEnv.yesai(props, sandbox.baseUrl(), 3);
            props.put("sora.exit-when-idle", "true");
            try (AppProcess app = AppProcess.start(dir, env.appClasspath, List.of("-XX:ArchiveClassesAtExit=" + jsa), props)) {
                app.waitExit(Duration.ofSeconds(60));
            }
            if (!java.nio.file.Files.exists(jsa)) {
                return "; the training run made no archive";
            }
            for (int i = 1; i <= runs; i++) {
                cds.add(once(env, "cds-" + i, sandbox.baseUrl(), List.of("-XX:SharedArchiveFile=" + jsa)));
                cdsC1.add(once(env, "cds-c1-" + i, sandbox.baseUrl(),
                        List.of("-XX:SharedArchiveFile=" + jsa, "-XX:TieredStopAtLevel=1")));
            }
            System.out.printf("[startup] with AppCDS: %s; plus C1 only: %s%n", cds, cdsC1);
            return "";
        } catch (Exception e) {
            cds.clear();
            cdsC1.clear();
            return "; the AppCDS runs failed: " + e.getMessage();
        }
    }

    static void run(BenchEnv env, Report report) throws Exception {
        int runs = env.startupRuns;
        List<Double> started = new ArrayList<>();
        List<Double> progress = new ArrayList<>();
        List<String> camel = new ArrayList<>();
        int quiet = 0;
        try (SandboxServer sandbox = SandboxServer.start(new SandboxConfig())) {
            for (int i = 1; i <= runs; i++) {
                // start-up is all CPU: wait (a while) for other processes on the machine to calm down
                if (CpuMeter.awaitQuiet(30)) {
                    quiet++;
                }
                Path dir = env.runDir.resolve("startup/run-" + i);
                Map<String, String> props = env.pipelineProps(dir, 1.0);
                BenchEnv.yesai(props, sandbox.baseUrl(), 3);
                try (AppProcess app = start(env, dir, Map.of(), props)) {
                    AppProcess.Line c = app.await(l -> l.contains(") started in "), Duration.ofSeconds(60));
                    AppProcess.Line s = app.await(AppProcess::ready, Duration.ofSeconds(60));
                    AppProcess.Line p = app.await(l -> l.contains("progress: "), Duration.ofSeconds(60));
                    if (c == null || s == null || p == null) {
                        throw new IllegalStateException("run " + i + " did not start; see " + app.log);
                    }
                    started.add((s.nanos() - app.startNanos) / 1e6);
                    progress.add((p.nanos() - app.startNanos) / 1e6);
                    Matcher m = CAMEL.matcher(c.text());
                    camel.add(m.find() ? m.group(1) + (m.group(5) != null ? " (boot " + m.group(5) + ")" : "") : "?");
                }
                System.out.printf("[startup] run %d: started %.0f ms, first progress line %.0f ms%n", i,
                        started.get(i - 1), progress.get(i - 1));
            }
        }
        List<Double> launcherFirst = new ArrayList<>();
        List<Double> launcherCds = new ArrayList<>();
        String launcherNote = launcherCds(env, runs, launcherFirst, launcherCds);
        List<Double> cds = new ArrayList<>();
        List<Double> cdsC1 = new ArrayList<>();
        String cdsNote = appCds(env, Math.min(runs, 3), cds, cdsC1);
        double med = Schedule.median(started);
        String how = env.distribution != null ? "bin/sora-camel" : "java -cp lib/*";
        report.row(SCENARIO, "exec " + how + " → pipeline ready (median of " + runs + ")", String.format("%.0f ms", med),
                "< 2 s", med < 2000);
        if (!launcherCds.isEmpty()) {
            double m = Schedule.median(launcherCds);
            report.row(SCENARIO, "… with SORA_CDS=on (median of " + launcherCds.size() + ")", String.format("%.0f ms", m),
                    "< 2 s", m < 2000);
            report.detail(SCENARIO, "SORA_CDS: the first start made the archive (a training run on the simulator) and "
                    + "was ready after " + launcherFirst.stream().map(d -> String.format("%.0f ms", d)).toList()
                    + "; the next starts: " + launcherCds.stream().map(d -> String.format("%.0f ms", d)).toList());
        } else if (!launcherNote.isEmpty()) {
            report.detail(SCENARIO, "SORA_CDS not measured" + launcherNote);
        }
        report.info(SCENARIO, "exec → pipeline ready (fastest run)", String.format("%.0f ms",
                started.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN)));
        report.info(SCENARIO, "exec → first progress line (median)", String.format("%.0f ms (its timer waits 1 s)",
                Schedule.median(progress)));
        report.detail(SCENARIO, "before each run the bench waited up to 30 s for other processes to use under a quarter "
                + "core; it was quiet before " + quiet + " of " + runs + " runs");
        report.detail(SCENARIO, "exec → started, each run: " + started.stream().map(d -> String.format("%.0f ms", d)).toList()
                + "; Camel's own figure: " + camel);
        if (!cds.isEmpty()) {
            report.info(SCENARIO, "… with an AppCDS archive (JVM flags only)", String.format("%.0f ms median; with "
                    + "-XX:TieredStopAtLevel=1 as well %.0f ms", Schedule.median(cds), Schedule.median(cdsC1)));
            report.detail(SCENARIO, "AppCDS: one training run with -XX:ArchiveClassesAtExit, then runs with "
                    + "-XX:SharedArchiveFile: " + cds.stream().map(d -> String.format("%.0f ms", d)).toList()
                    + ", adding -XX:TieredStopAtLevel=1: " + cdsC1.stream().map(d -> String.format("%.0f ms", d)).toList()
                    + cdsNote);
        } else if (!cdsNote.isEmpty()) {
            report.detail(SCENARIO, "AppCDS not measured" + cdsNote);
        }
    }
}
