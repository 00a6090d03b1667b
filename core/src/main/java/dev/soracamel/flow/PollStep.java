package dev.soracamel.flow;

import dev.soracamel.job.Job;
import dev.soracamel.provider.HttpAnswer;
import dev.soracamel.provider.LookupResult;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.StatusResult;
import org.apache.camel.Exchange;

/**
 * The poll route's bean: picks the task whose status check is due and reads the answer. A job looking up the
 * task of a submit whose answer was lost ({@link Job#lookup}) is picked the same way, through the same gate, and
 * its call is a page of the provider's list of tasks instead.
 */
public class PollStep {

    /** Exchange property: the call on the wire is a lookup, not a status check. */
    static final String LOOKUP = "soraLookup";

    private final JobBoard board;

    public PollStep(JobBoard board) {
        this.board = board;
    }

    public void pick(Exchange ex) {
        String provider = ex.getProperty(Flow.PROVIDER, String.class);
        JobBoard.Pick pick;
        try {
            pick = board.pickStatusCheck(provider);
        } catch (dev.soracamel.job.JobRepository.UnavailableException e) {
            RepositoryOutage.waiting("polling", e);
            pick = null;
        }
        if (pick == null) {
            Flow.next(ex, Next.WAIT);
            return;
        }
        Job job = pick.job();
        ex.setProperty(Flow.JOB, job);
        ex.setProperty(Flow.GATE, true);
        Flow.next(ex, Next.CHECK);
        boolean lookup = job.lookup != null;
        ex.setProperty(LOOKUP, lookup);
        try {
            ProviderAdapter adapter = board.adapter(provider);
            Flow.prepareCall(ex, lookup ? adapter.lookup(job, job.lookup.after, board.settings().lookup().pageSize())
                    : adapter.status(job), board.settings().provider(provider).token(), pick.sendBy());
        } catch (RuntimeException e) {
            release(ex);
            Flow.next(ex, lookup ? board.lookupFailed(job, e) : board.statusFailed(job, e));
        }
    }

    public void answer(Exchange ex) {
        Job job = Flow.job(ex);
        HttpAnswer answer = Flow.takeAnswer(ex);
        if (isLookup(ex)) {
            LookupResult result = board.adapter(job.provider).interpretLookup(answer);
            Flow.next(ex, board.lookupAnswered(job, result));
            ex.removeProperty(Flow.GATE);
            board.events().lookupAnswered(job, result, answer.status());
            return;
        }
        StatusResult result = board.adapter(job.provider).interpretStatus(answer);
        Flow.next(ex, board.statusAnswered(job, result));
        ex.removeProperty(Flow.GATE); // the answer's transaction released the account's gate
        board.events().statusAnswered(job, result, answer.status());
        if (Next.DOWNLOAD.name().equals(ex.getProperty(Flow.NEXT))) {
            ex.getMessage().setBody(job.requestId);
        }
    }

    public void failed(Exchange ex) {
        Throwable error = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Flow.takeAnswer(ex);
        if (isLookup(ex)) {
            Flow.next(ex, board.lookupFailed(Flow.job(ex), error));
            ex.removeProperty(Flow.GATE);
            board.events().lookupAnswered(Flow.job(ex), null, 0);
            return;
        }
        Flow.next(ex, board.statusFailed(Flow.job(ex), error));
        ex.removeProperty(Flow.GATE);
        board.events().statusNoAnswer(Flow.job(ex), error);
    }

    private static boolean isLookup(Exchange ex) {
        return Boolean.TRUE.equals(ex.getProperty(LOOKUP));
    }

    public void release(Exchange ex) {
        if (Boolean.TRUE.equals(ex.removeProperty(Flow.GATE))) {
            board.releaseStatusGate(ex.getProperty(Flow.PROVIDER, String.class));
        }
    }
}
