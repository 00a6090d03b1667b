package dev.soracamel.flow;

import org.apache.camel.Exchange;
import org.apache.camel.Predicate;

/**
 * The download route's retry policy, one bean for every pipeline in the context: Camel looks a dead-letter
 * channel's {@code retryWhileRef} up by its literal name, so the template cannot name each pipeline's own
 * {@link DownloadStep}. This asks the step of the pipeline the exchange belongs to.
 */
public final class DownloadRetry implements Predicate {

    public static final String BEAN = "soraDownloadRetry";

    @Override
    public boolean matches(Exchange ex) {
        String pipeline = ex.getProperty(Flow.PIPELINE, String.class);
        DownloadStep step = pipeline == null ? null
                : ex.getContext().getRegistry().lookupByNameAndType(pipeline + "Download", DownloadStep.class);
        return step != null && step.matches(ex);
    }
}
