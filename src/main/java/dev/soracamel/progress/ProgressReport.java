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
        Map<String, Object> c = board.queries().counts();
        StringBuilder sb = new StringBuilder("progress:");
        c.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        String line = sb.toString();
        boolean busy = !board.queries().idle();
        if (!busy && line.equals(last)) {
            return null;
        }
        last = line;
        return line;
    }
}
