package dev.soracamel.component;

import java.util.Map;

import org.apache.camel.AsyncCallback;
import org.apache.camel.AsyncProducer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultAsyncProducer;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The pipeline's request entry: the exchange goes through {@code direct:<pipeline>-request}, the route every
 * synchronous caller uses, so a request sent here is checked, recorded and answered exactly as one sent by REST.
 */
public class SoraProducer extends DefaultAsyncProducer {

    private AsyncProducer entry;

    public SoraProducer(SoraEndpoint endpoint) {
        super(endpoint);
    }

    @Override
    public SoraEndpoint getEndpoint() {
        return (SoraEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        String uri = getEndpoint().getComponent().pipeline(getEndpoint().getPipeline()).requestEndpoint();
        entry = getEndpoint().getCamelContext().getEndpoint(uri).createAsyncProducer();
        ServiceHelper.startService(entry);
        super.doStart();
    }

    @Override
    protected void doStop() throws Exception {
        ServiceHelper.stopService(entry);
        super.doStop();
    }

    @Override
    public boolean process(Exchange exchange, AsyncCallback callback) {
        return entry.process(exchange, done -> {
            Message m = exchange.getMessage();
            if (exchange.getException() == null && m.getBody() instanceof Map<?, ?> answer) {
                if (answer.get("job_id") != null) {
                    m.setHeader(SoraConstants.JOB_ID, answer.get("job_id"));
                } else if (answer.get("request_id") != null) {
                    m.setHeader(SoraConstants.JOB_ID, answer.get("request_id"));
                }
                if (answer.get("code") != null) {
                    m.setHeader(SoraConstants.CODE, answer.get("code"));
                }
            }
            callback.done(done);
        });
    }
}
