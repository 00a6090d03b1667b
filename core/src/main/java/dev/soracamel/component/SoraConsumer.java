package dev.soracamel.component;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import dev.soracamel.Outlets;
import dev.soracamel.flow.Flow;
import dev.soracamel.intake.IntakeItem;
import dev.soracamel.job.Job;
import org.apache.camel.AsyncCallback;
import org.apache.camel.Consumer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.processor.DelegateAsyncProcessor;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Takes a pipeline's outcomes on the internal {@code direct:<pipeline>-out-<event>} endpoints the store and
 * dead-letter routes write to. Through direct:, the route's exchange is the pipeline's own: when it fails, the
 * store route's error handler sees the failure, tries again, and the job waits to be stored again later.
 */
public class SoraConsumer extends DefaultConsumer {

    private final List<String> internal;
    private final List<Consumer> delegates = new ArrayList<>();

    public SoraConsumer(SoraEndpoint endpoint, Processor processor, List<String> internal) {
        super(endpoint, processor);
        this.internal = internal;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        var ctx = getEndpoint().getCamelContext();
        for (String uri : internal) {
            boolean dead = uri.endsWith("-out-" + Outlets.DEAD);
            Consumer c = ctx.getEndpoint(uri).createConsumer(new DelegateAsyncProcessor(getProcessor()) {
                @Override
                public boolean process(Exchange exchange, AsyncCallback callback) {
                    describe(exchange, dead);
                    return super.process(exchange, done -> {
                        if (exchange.getException() != null) {
                            // The consumer route's own error handler gave up and marked the failure as dealt with; the
                            // pipeline's store route must still try again and then keep the job to store later, which
                            // it does only for a failure no error handler has dealt with yet.
                            exchange.getExchangeExtension().setFailureHandled(false);
                            exchange.getExchangeExtension().setErrorHandlerHandled(null);
                            exchange.getExchangeExtension().setRedeliveryExhausted(false);
                        }
                        callback.done(done);
                    });
                }
            });
            delegates.add(c);
            ServiceHelper.startService(c);
        }
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(delegates);
        delegates.clear();
        super.doStop();
    }

    /** What the consumer's route needs to know of the job, as headers (the storage headers stay as they are). */
    static void describe(Exchange exchange, boolean dead) {
        Message m = exchange.getMessage();
        Job job = Flow.job(exchange);
        String fileName = m.getHeader(Exchange.FILE_NAME, String.class);
        if (job != null) {
            m.setHeader(SoraConstants.JOB_ID, job.requestId);
            setIfKnown(m, SoraConstants.CUSTOMER_ID, job.customerId);
            setIfKnown(m, SoraConstants.PROVIDER, job.provider);
            setIfKnown(m, SoraConstants.MODEL, job.model);
            setIfKnown(m, SoraConstants.COST, job.estimatedCost);
        }
        if (!dead) {
            m.setHeader(SoraConstants.PART, m.getBody() instanceof File ? "video" : "metadata");
            return;
        }
        // a dead letter: of a job, or of a request that never became one
        m.setHeader(SoraConstants.PART, fileName != null && fileName.endsWith(".error.json") ? "reason" : "original");
        if (job != null) {
            setIfKnown(m, SoraConstants.DEAD_CODE, job.deadLetter != null ? job.deadLetter.code() : job.deadCode);
        } else {
            IntakeItem item = exchange.getProperty(Flow.ITEM, IntakeItem.class);
            if (item != null) {
                setIfKnown(m, SoraConstants.JOB_ID, item.requestId());
                if (item.rejection() != null) {
                    setIfKnown(m, SoraConstants.DEAD_CODE, item.rejection().code());
                }
            }
        }
    }

    private static void setIfKnown(Message m, String header, Object value) {
        if (value != null) {
            m.setHeader(header, value);
        }
    }
}
