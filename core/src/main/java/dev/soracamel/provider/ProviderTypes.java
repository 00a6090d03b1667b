package dev.soracamel.provider;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import dev.soracamel.config.ProviderDefaults;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.engine.DefaultClassResolver;
import org.apache.camel.impl.engine.DefaultFactoryFinder;
import org.apache.camel.spi.FactoryFinder;

/**
 * The provider types on the classpath, looked up by name in {@link ProviderType#SERVICES}. Nothing here lists
 * the types: an unknown one is only known to be unknown when its services file is missing.
 */
public final class ProviderTypes implements ProviderDefaults {

    /** A type name is a file name under the services path: no separators, no climbing out of it. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final FactoryFinder finder;
    private final Map<String, ProviderType> found = new ConcurrentHashMap<>();

    private ProviderTypes(FactoryFinder finder) {
        this.finder = finder;
    }

    /** Through the context's own class resolver, so that a host's class loading (and its jars) is what counts. */
    public static ProviderTypes of(CamelContext ctx) {
        return new ProviderTypes(ctx.getCamelContextExtension().getFactoryFinder(ProviderType.SERVICES));
    }

    /** Where no context is at hand (settings read in a test): this class's own class loader. */
    public static ProviderTypes onClasspath() {
        return new ProviderTypes(new DefaultFactoryFinder(new DefaultClassResolver(), ProviderType.SERVICES));
    }

    /** The type configured for provider {@code provider}; a sentence naming both, and the file, when none is found. */
    public ProviderType find(String provider, String type) {
        if (type == null || !NAME.matcher(type).matches()) {
            throw new IllegalStateException("provider " + provider + " has type '" + type + "', which is no type "
                    + "name: a type is a file under " + ProviderType.SERVICES + ", named with letters, digits, '.', "
                    + "'_' and '-'");
        }
        return found.computeIfAbsent(type, t -> load(provider, t));
    }

    @Override
    public Of of(String provider, String type) {
        ProviderType t = find(provider, type);
        return new Of(t.name(), t.defaultBaseUrl(), t.defaultCatalog());
    }

    private ProviderType load(String provider, String type) {
        String file = ProviderType.SERVICES + type;
        ProviderType found;
        try {
            found = finder.newInstance(type, ProviderType.class).orElse(null);
        } catch (RuntimeException e) {
            throw new IllegalStateException("provider " + provider + " has type '" + type + "', but the class that "
                    + file + " names is not a " + ProviderType.class.getName() + " that can be made (a public class "
                    + "with a public no-argument constructor): " + e.getMessage(), e);
        }
        if (found == null) {
            throw new IllegalStateException("provider " + provider + " has type '" + type + "', which nothing on the "
                    + "classpath provides: a jar provides it with the file " + file + ", naming its "
                    + ProviderType.class.getName() + " (class=...). Check the spelling, or add the jar of that type");
        }
        if (!type.equals(found.name())) {
            // the price table and the logs say the configured name: a class answering to another would mislead both
            throw new IllegalStateException("provider " + provider + " has type '" + type + "', but " + file
                    + " names " + found.getClass().getName() + ", which is type '" + found.name() + "'");
        }
        return found;
    }
}
