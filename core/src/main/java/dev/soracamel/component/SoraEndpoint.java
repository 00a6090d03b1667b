package dev.soracamel.component;

import java.util.List;

import dev.soracamel.Outlets;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * One pipeline. As a producer, its request entry: one request in, the answer out at once. As a consumer, its
 * outcomes: stored videos with their metadata, or dead letters, handed over synchronously so that a failing
 * consumer route leaves the job to be stored again, never lost.
 */
@UriEndpoint(firstVersion = "0.1.0", scheme = "sora", title = "Sora video pipeline", syntax = "sora:pipeline",
             category = {Category.AI}, remote = false, headersClass = SoraConstants.class)
public class SoraEndpoint extends DefaultEndpoint {

    @UriPath(description = "The pipeline's name: the prefix of its properties, beans and internal endpoints "
            + "(sora: the standalone pipeline, configured by the sora. properties).")
    @Metadata(required = true)
    private String pipeline;

    @UriParam(label = "consumer", enums = "stored,dead,all", description = "Which outcomes the consumer takes "
            + "(required for a consumer): stored (each video as a java.io.File body, then its metadata JSON), dead "
            + "(each dead letter's reason JSON, then the original request) or all. The pipeline's store or "
            + "dead-letter endpoint is then not used.")
    private String event;

    public SoraEndpoint(String uri, SoraComponent component, String pipeline) {
        super(uri, component);
        this.pipeline = pipeline;
    }

    @Override
    public SoraComponent getComponent() {
        return (SoraComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() throws Exception {
        return new SoraProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (event == null) {
            throw new IllegalArgumentException("a sora: consumer needs event=stored, event=dead or event=all, as in "
                    + "from(\"sora:" + pipeline + "?event=stored\"): it says which outcomes of pipeline '" + pipeline
                    + "' the route takes");
        }
        List<String> internal = claim();
        SoraConsumer consumer = new SoraConsumer(this, processor, internal);
        configureConsumer(consumer);
        return consumer;
    }

    /** The internal endpoints this endpoint's consumer takes outcomes from, announced to the pipeline. */
    List<String> claim() {
        List<String> events = switch (event) {
            case "stored" -> List.of(Outlets.STORED);
            case "dead" -> List.of(Outlets.DEAD);
            case "all" -> List.of(Outlets.STORED, Outlets.DEAD);
            default -> throw new IllegalArgumentException("sora:" + pipeline + " has event=" + event
                    + "; it takes stored, dead or all");
        };
        return events.stream().map(e -> getComponent().outlets(pipeline).claim(e)).toList();
    }

    public String getPipeline() {
        return pipeline;
    }

    public void setPipeline(String pipeline) {
        this.pipeline = pipeline;
    }

    public String getEvent() {
        return event;
    }

    public void setEvent(String event) {
        this.event = event;
    }
}
