package dev.soracamel.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The bench: drives the real pipeline (the standalone application with its routes and beans) against the
 * sandbox, and the seed-001 baseline, and prints a table of every figure beside its goal. Not a test: it
 * is compiled with the tests but run only by {@code bench/run.sh}.
 *
 * <pre>
 * bench/run.sh                 # every scenario; writes docs/BENCHMARKS.md
 * bench/run.sh quota backlog   # some scenarios; writes target/bench/run-.../results.md only
 * </pre>
 */
public final class BenchMain {

    static final List<String> ALL = List.of("quota", "openai", "mixed", "baseline", "streaming", "backlog", "backlog-tuned",
            "startup");
    static final String BEGIN = "<!-- bench:results:begin -->";
    static final String END = "<!-- bench:results:end -->";

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        Set<String> chosen = new LinkedHashSet<>();
        for (String a : args) {
            if (a.equals("all")) {
                chosen.addAll(ALL);
            } else if (ALL.contains(a)) {
                chosen.add(a);
            } else {
                System.err.println("unknown scenario '" + a + "'; choose from " + ALL + " or all");
                System.exit(2);
            }
        }
        boolean full = chosen.isEmpty() || chosen.containsAll(ALL);
        if (chosen.isEmpty()) {
            chosen.addAll(ALL);
        }
        // run in the documented order, whatever order they were asked in
        List<String> order = ALL.stream().filter(chosen::contains).toList();

        BenchEnv env = new BenchEnv();
        Report report = new Report();
        long t0 = System.nanoTime();
        System.out.println("bench: " + order + " in " + env.runDir);
        for (String s : order) {
            long ts = System.nanoTime();
            CpuMeter cpu = new CpuMeter();
            try {
                switch (s) {
                    case "quota" -> report.shared.put("quota", ScheduleScenario.run(env, report, false));
                    case "openai" -> report.shared.put("openai", ScheduleScenario.run(env, report, true));
                    case "mixed" -> ScheduleScenario.runMixed(env, report);
                    case "baseline" -> BaselineScenario.run(env, report);
                    case "streaming" -> StreamingScenario.run(env, report);
                    case "backlog" -> BacklogScenario.run(env, report);
                    case "backlog-tuned" -> BacklogScenario.run(env, report, env.backlogProps,
                            ", intake tuned: " + String.join(" ", env.backlogProps.entrySet().stream()
                                    .map(e -> e.getKey().replace("sora.intake.", "") + "=" + e.getValue()).toList()));
                    case "startup" -> StartupScenario.run(env, report);
                    default -> throw new IllegalStateException(s);
                }
            } catch (Exception e) {
                e.printStackTrace();
                report.row(s, "scenario failed", String.valueOf(e), "runs", false);
            }
            double took = (System.nanoTime() - ts) / 1e9;
            report.detail(Report.LOAD, String.format("%s (%.0f s): %s", s, took, cpu.describe()));
            System.out.printf("[%s] done in %.0f s; %s%n", s, took, cpu.describe());
        }
        double total = (System.nanoTime() - t0) / 1e9;

        String results = results(env, report, order, total);
        Files.writeString(env.runDir.resolve("results.md"), results, StandardCharsets.UTF_8);
        System.out.println();
        System.out.println(report.console());
        System.out.printf("bench took %.0f s; results in %s%n", total, env.runDir.resolve("results.md"));
        if (full) {
            Path doc = Path.of("docs", "BENCHMARKS.md");
            writeDoc(doc, results);
            System.out.println("updated " + doc.toAbsolutePath());
        }
    }

    static String results(BenchEnv env, Report report, List<String> order, double seconds) throws Exception {
        StringBuilder sb = new StringBuilder();
        sb.append("Recorded ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .append(" by `bench/run.sh").append(order.equals(ALL) ? "" : " " + String.join(" ", order))
                .append("` in ").append(Math.round(seconds)).append(" s, on:\n\n");
        for (String m : Machine.describe()) {
            sb.append("- ").append(m).append('\n');
        }
        sb.append(String.format("- time scale of the pipeline runs %s (1 provider second = %.0f ms), of the baseline %s; "
                + "provider-time figures are real times divided by the scale%n%n", env.scale, 1000 * env.scale,
                env.baselineScale));
        sb.append(report.goalTable()).append('\n');
        String v = report.versusTable();
        if (!v.isEmpty()) {
            sb.append(v).append('\n');
        }
        sb.append("Details of this run:\n\n").append(report.detailText());
        return sb.toString();
    }

    /** Replaces the results between the markers; the hand-written text around them stays. */
    static void writeDoc(Path doc, String results) throws IOException {
        String block = BEGIN + "\n" + results + END;
        String text;
        if (Files.exists(doc)) {
            String old = Files.readString(doc, StandardCharsets.UTF_8);
            int b = old.indexOf(BEGIN);
            int e = old.indexOf(END);
            text = b >= 0 && e > b ? old.substring(0, b) + block + old.substring(e + END.length())
                    : old + "\n" + block + "\n";
        } else {
            Files.createDirectories(doc.getParent());
            text = "# Benchmarks\n\n" + block + "\n";
        }
        Files.writeString(doc, text, StandardCharsets.UTF_8);
    }

    /** This machine, as the doc describes it. */
    static final class Machine {
        static List<String> describe() throws Exception {
            List<String> out = new ArrayList<>();
            out.add("CPU: " + Runtime.getRuntime().availableProcessors() + " cores (nproc), " + cpuModel());
            out.add("memory: " + memTotal());
            out.add("OS: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                    + System.getProperty("os.arch"));
            out.add("java -version: " + javaVersion());
            out.add("commit: " + run("git", "rev-parse", "--short", "HEAD") + " (" + run("git", "rev-parse",
                    "--abbrev-ref", "HEAD") + (run("git", "status", "--porcelain").isBlank() ? "" : ", with local changes")
                    + ")");
            return out;
        }

        private static String cpuModel() throws IOException {
            Path p = Path.of("/proc/cpuinfo");
            if (!Files.exists(p)) {
                return "model unknown";
            }
            return Files.readAllLines(p).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("model unknown");
        }

        private static String memTotal() throws IOException {
            Path p = Path.of("/proc/meminfo");
            if (!Files.exists(p)) {
                return "unknown";
            }
            String line = Files.readAllLines(p).stream().filter(l -> l.startsWith("MemTotal")).findFirst().orElse("");
            long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
            return String.format("%.1f GB (MemTotal %d kB)", kb / 1024.0 / 1024.0, kb);
        }

        private static String javaVersion() throws Exception {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            return String.join(" / ", run(java, "-version").lines().toList());
        }

        static String run(String... cmd) throws Exception {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor();
            return out;
        }
    }
}
