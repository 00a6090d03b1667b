package dev.soracamel.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The results of one bench run: the goal table, the side-by-side with the baseline, and details per scenario. */
final class Report {

    /** A figure with its goal beside it; {@code met} is null for a figure that has no goal of its own. */
    record Row(String scenario, String measure, String value, String goal, Boolean met) {
        String verdict() {
            return met == null ? "" : met ? "met" : "**missed**";
        }
    }

    /** A line of the pipeline-versus-baseline table. */
    record Versus(String measure, String pipeline, String baseline, String ratio) {
    }

    static final String LOAD = "Machine load while each scenario ran";

    final List<Row> rows = new ArrayList<>();
    final List<Versus> versus = new ArrayList<>();
    final Map<String, List<String>> details = new LinkedHashMap<>();
    /** Results a later scenario compares with (the like-for-like pipeline run, for the baseline). */
    final Map<String, Object> shared = new LinkedHashMap<>();

    void row(String scenario, String measure, String value, String goal, Boolean met) {
        rows.add(new Row(scenario, measure, value, goal, met));
    }

    void info(String scenario, String measure, String value) {
        rows.add(new Row(scenario, measure, value, "", null));
    }

    void detail(String scenario, String line) {
        details.computeIfAbsent(scenario, k -> new ArrayList<>()).add(line);
    }

    String goalTable() {
        StringBuilder sb = new StringBuilder();
        sb.append("| scenario | measure | value | goal | |\n|---|---|---|---|---|\n");
        String last = null;
        for (Row r : rows) {
            sb.append("| ").append(r.scenario().equals(last) ? "" : r.scenario()).append(" | ").append(r.measure())
                    .append(" | ").append(r.value()).append(" | ").append(r.goal()).append(" | ").append(r.verdict())
                    .append(" |\n");
            last = r.scenario();
        }
        return sb.toString();
    }

    String versusTable() {
        if (versus.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| same workload on /v1/videos (sora-2) | pipeline | baseline (seed 001 loop) | baseline / pipeline |\n")
                .append("|---|---|---|---|\n");
        for (Versus v : versus) {
            sb.append("| ").append(v.measure()).append(" | ").append(v.pipeline()).append(" | ").append(v.baseline())
                    .append(" | ").append(v.ratio()).append(" |\n");
        }
        return sb.toString();
    }

    /** The details, scenario by scenario; the machine's load last. */
    String detailText() {
        StringBuilder sb = new StringBuilder();
        Map<String, List<String>> ordered = new LinkedHashMap<>(details);
        List<String> load = ordered.remove(LOAD);
        if (load != null) {
            ordered.put(LOAD, load);
        }
        ordered.forEach((scenario, lines) -> {
            sb.append("**").append(scenario).append("**\n\n");
            lines.forEach(l -> sb.append("- ").append(l).append('\n'));
            sb.append('\n');
        });
        return sb.toString();
    }

    /** The tables as plain text for the console. */
    String console() {
        StringBuilder sb = new StringBuilder();
        int w1 = 10;
        int w2 = 10;
        int w3 = 10;
        int w4 = 6;
        for (Row r : rows) {
            w1 = Math.max(w1, r.scenario().length());
            w2 = Math.max(w2, r.measure().length());
            w3 = Math.max(w3, r.value().length());
            w4 = Math.max(w4, r.goal().length());
        }
        String f = "%-" + w1 + "s  %-" + w2 + "s  %-" + w3 + "s  %-" + w4 + "s  %s%n";
        sb.append(String.format(f, "scenario", "measure", "value", "goal", ""));
        String last = null;
        for (Row r : rows) {
            sb.append(String.format(f, r.scenario().equals(last) ? "" : r.scenario(), r.measure(), r.value(), r.goal(),
                    r.met() == null ? "" : r.met() ? "met" : "MISSED"));
            last = r.scenario();
        }
        if (!versus.isEmpty()) {
            sb.append('\n');
            String g = "%-44s  %-28s  %-28s  %s%n";
            sb.append(String.format(g, "same workload on /v1/videos", "pipeline", "baseline (seed 001)", "ratio"));
            for (Versus v : versus) {
                sb.append(String.format(g, v.measure(), v.pipeline(), v.baseline(), v.ratio()));
            }
        }
        return sb.toString();
    }
}
