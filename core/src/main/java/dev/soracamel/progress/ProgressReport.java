package dev.soracamel.progress;

import java.util.Map;

import dev.soracamel.flow.JobBoard;

/** The periodic one-line summary: said while there is work, and once more when it all settled. */
public class ProgressReport {

    private final JobBoard board;
    private String last = "";

    public ProgressReport(JobBoard board) {
        this.board = board;
    }

    /** @return the line to log, or null when nothing is under way and nothing changed */
    public synchronized String line() {
        String line = format(board.queries().counts());
        boolean busy = !board.queries().idle();
        if (!busy && line.equals(last)) {
            return null;
        }
        last = line;
        return line;
    }

    /** The line for a set of counts: the log's and the operator page's, so the two never say different things. */
    public static String format(Map<String, Object> counts) {
        StringBuilder sb = new StringBuilder("progress:");
        counts.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }
}
