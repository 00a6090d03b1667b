package dev.soracamel;

import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

/**
 * Camel Main's entry into the pipeline: starts the sandbox when it is to be used, then installs the
 * beans and provider routes. Named by {@link Application} (tests find it by package scan).
 */
@Configuration
public class SoraConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext ctx) throws Exception {
        SandboxMode.applyIfWanted(ctx);
        SoraPipeline.install(ctx);
    }
}
