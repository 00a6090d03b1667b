package dev.soracamel.flow;

import java.util.List;

import org.apache.camel.Exchange;

/**
 * The recover route's bean: on every tick, the steps no node is doing (at start: what the previous process
 * left half done; on a cluster: what a node that died or stalled left), each claimed for this node.
 */
public class RecoverStep {

    private static final String FOUND = "soraRecovery";

    private final JobBoard board;

    public RecoverStep(JobBoard board) {
        this.board = board;
    }

    public void scan(Exchange ex) {
        JobBoard.Recovery found;
        try {
            found = board.recover();
        } catch (dev.soracamel.job.JobRepository.UnavailableException e) {
            RepositoryOutage.waiting("recovering", e);
            found = new JobBoard.Recovery(List.of(), List.of(), List.of(), List.of());
        }
        ex.setProperty(FOUND, found);
    }

    public List<String> downloads(Exchange ex) {
        return found(ex).downloads();
    }

    public List<String> stores(Exchange ex) {
        return found(ex).stores();
    }

    public List<String> deadLetters(Exchange ex) {
        return found(ex).deadLetters();
    }

    public List<String> notifications(Exchange ex) {
        return found(ex).notifications();
    }

    private static JobBoard.Recovery found(Exchange ex) {
        return ex.getProperty(FOUND, JobBoard.Recovery.class);
    }

    public void load(Exchange ex) {
        ex.setProperty(Flow.JOB, board.find(ex.getMessage().getBody(String.class)).orElseThrow());
    }
}
