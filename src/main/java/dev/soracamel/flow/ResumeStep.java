package dev.soracamel.flow;

import java.util.List;

import org.apache.camel.Exchange;

/** The resume route's bean: what the job board found half done at start. */
public class ResumeStep {

    private final JobBoard board;
    private final JobBoard.Resume resume;

    public ResumeStep(JobBoard board, JobBoard.Resume resume) {
        this.board = board;
        this.resume = resume;
    }

    public List<String> downloads() {
        return resume.downloads();
    }

    public List<String> deadLetters() {
        return resume.deadLetters();
    }

    public List<String> notifications() {
        return resume.notifications();
    }

    public void load(Exchange ex) {
        ex.setProperty(Flow.JOB, board.find(ex.getMessage().getBody(String.class)).orElseThrow());
    }
}
