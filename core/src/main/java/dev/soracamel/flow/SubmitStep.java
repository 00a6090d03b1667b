package dev.soracamel.flow;

import dev.soracamel.job.Job;
import dev.soracamel.provider.HttpAnswer;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.SubmitResult;
import org.apache.camel.Exchange;

/** The submit route's bean: picks the next job when the limits allow and reads the provider's answer. */
public class SubmitStep {

    private final JobBoard board;

    public SubmitStep(JobBoard board) {
        this.board = board;
    }

    public void pick(Exchange ex) {
        String provider = ex.getProperty(Flow.PROVIDER, String.class);
        JobBoard.Pick pick;
        try {
            pick = board.pickSubmit(provider);
        } catch (dev.soracamel.job.JobRepository.UnavailableException e) {
            RepositoryOutage.waiting("submitting", e);
            pick = null;
        }
        if (pick == null) {
            Flow.next(ex, Next.WAIT);
            return;
        }
        ex.setProperty(Flow.JOB, pick.job());
        Flow.next(ex, pick.next());
        if (pick.next() == Next.SUBMIT) {
            ex.setProperty(Flow.GATE, true);
            ProviderAdapter adapter = board.adapter(provider);
            try {
                Flow.prepareCall(ex, adapter.submit(pick.job()), board.settings().provider(provider).token(),
                        pick.sendBy());
            } catch (RuntimeException e) {
                // nothing was sent: free the gate and the slot, and say why
                release(ex);
                boolean mine = board.fail(pick.job(), "INTERNAL_ERROR", "the submit could not be built: " + e);
                Flow.next(ex, mine ? Next.DEAD_LETTER : Next.WAIT);
            }
        }
    }

    public void answer(Exchange ex) {
        Job job = Flow.job(ex);
        HttpAnswer answer = Flow.takeAnswer(ex);
        SubmitResult result = board.adapter(job.provider).interpretSubmit(answer);
        Flow.next(ex, board.submitAnswered(job, result));
        ex.removeProperty(Flow.GATE); // the answer's transaction released the account's gate
        board.events().submitAnswered(job, result, answer.status());
    }

    public void failed(Exchange ex) {
        Throwable error = ex.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Flow.takeAnswer(ex);
        Flow.next(ex, board.submitFailed(Flow.job(ex), error));
        ex.removeProperty(Flow.GATE);
        board.events().submitNoAnswer(Flow.job(ex), error);
    }

    public void release(Exchange ex) {
        if (Boolean.TRUE.equals(ex.removeProperty(Flow.GATE))) {
            board.releaseSubmitGate(ex.getProperty(Flow.PROVIDER, String.class));
        }
    }
}
