package dev.soracamel.config;

import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Ordered;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.spi.ContextServicePlugin;
import org.apache.camel.spi.PropertiesSource;
import org.apache.camel.util.IOHelper;

/**
 * Lets a {@code {{sora.x}}} placeholder, in a route or a properties file of any CamelContext with this jar on its
 * classpath, see the option catalog's default, so that a default is written in {@link SoraOptions} alone and no
 * properties file or inline {@code {{key:default}}} has to repeat it. It is asked last: whatever the host sets
 * (its properties files, initial and override properties, the environment and system properties in any of
 * Camel's modes, Spring's environment) wins. Only an option whose default is a value answers; a required or
 * derived option, or one whose default is blank, stays unset, as {@link Props} reads it.
 */
public final class SoraOptionsSource implements PropertiesSource, Ordered, CamelContextAware {

    public static final String NAME = "sora-options";

    private CamelContext camelContext;

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public String getProperty(String name) {
        if (name == null || !name.startsWith(Props.DEFAULT_PIPELINE + ".")) {
            return null;
        }
        return SoraOptions.find(name)
                .filter(o -> o.kind() == SoraOptions.Default.VALUE && !o.value().isBlank())
                .filter(o -> !setElsewhere(name))
                .map(SoraOptions.Option::value)
                .orElse(null);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void setCamelContext(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    public CamelContext getCamelContext() {
        return camelContext;
    }

    /**
     * Camel asks its sources before three other places, so being ordered last among the sources is not enough:
     * the initial properties (a host's {@code setInitialProperties}), the parser's own lookup (Spring Boot's
     * environment, application.yml included) and the environment and system properties when a host has Camel
     * read them after its sources (fallback mode).
     */
    private boolean setElsewhere(String name) {
        if (System.getProperty(name) != null || IOHelper.lookupEnvironmentVariable(name) != null) {
            return true;
        }
        if (camelContext == null
                || !(camelContext.getPropertiesComponent() instanceof PropertiesComponent pc)) {
            return false;
        }
        Properties initial = pc.getInitialProperties();
        if (initial != null && initial.get(name) != null) {
            return true;
        }
        return pc.getPropertiesParser() != null && pc.getPropertiesParser().customLookup(name) != null;
    }

    /** Adds the source to a context's properties unless it is there already. */
    public static void addTo(CamelContext ctx) {
        if (ctx.getPropertiesComponent().getPropertiesSource(NAME) == null) {
            ctx.getPropertiesComponent().addPropertiesSource(new SoraOptionsSource());
        }
    }

    /**
     * Camel loads this for every CamelContext it builds (a {@code ContextServicePlugin} found through
     * {@code META-INF/services}), before Camel Main or Spring Boot resolve their properties. Camel looks for it
     * with the context's application class loader, or the system one: where neither sees this jar (a build
     * tool's own class loader, as {@code mvn exec:java} has), a pipeline's install adds the source itself.
     */
    public static final class Plugin implements ContextServicePlugin {

        @Override
        public void load(CamelContext ctx) {
            addTo(ctx);
        }
    }
}
