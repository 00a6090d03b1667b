package dev.soracamel.component;

import java.util.Map;

import dev.soracamel.Outlets;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.Props;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code sora:<pipeline>}: send a request to a pipeline, or take its stored videos and dead letters. The pipeline
 * is the one bound as {@code <pipeline>Pipeline}, installed here when none is, so that a host configured by
 * properties and routes alone needs no Java call.
 */
@Component("sora")
public class SoraComponent extends DefaultComponent {

    @Metadata(defaultValue = "true", description = "Install the pipeline, from the properties under its name "
            + "(orders.inbox, orders.provider.yesai.token, ... for sora:orders), when the registry holds no "
            + "pipeline of that name yet. Off: the host installs it with SoraPipeline.install.")
    private boolean autoInstall = true;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (remaining == null || remaining.isBlank()) {
            throw new IllegalArgumentException("sora: needs the pipeline's name, as in sora:orders");
        }
        SoraEndpoint endpoint = new SoraEndpoint(uri, this, remaining);
        setProperties(endpoint, parameters);
        if (endpoint.getEvent() != null) {
            // claimed before the pipeline is installed: installed into a running context, it adds its routes at once
            endpoint.claim();
        }
        pipeline(remaining);
        return endpoint;
    }

    /** The pipeline of that name, installed now if it is not yet and autoInstall allows. */
    synchronized SoraPipeline pipeline(String name) throws Exception {
        SoraPipeline found = getCamelContext().getRegistry().lookupByNameAndType(name + "Pipeline", SoraPipeline.class);
        if (found != null) {
            return found;
        }
        if (!autoInstall) {
            throw new IllegalStateException("no pipeline '" + name + "' is installed (no bean " + name + "Pipeline), "
                    + "and the sora component's autoInstall is off: install it with SoraPipeline.install(...) first, "
                    + "or turn autoInstall on");
        }
        return SoraPipeline.install(getCamelContext(), name.equals(Props.DEFAULT_PIPELINE)
                ? SoraPipeline.Options.standalone() : SoraPipeline.Options.named(name));
    }

    Outlets outlets(String name) {
        return Outlets.of(getCamelContext(), name);
    }

    public boolean isAutoInstall() {
        return autoInstall;
    }

    public void setAutoInstall(boolean autoInstall) {
        this.autoInstall = autoInstall;
    }
}
