package dev.soracamel.provider;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.ProviderSettings;

/**
 * A kind of provider API ({@code sora.provider.<name>.type}): what a configured instance of it defaults to, and
 * how its adapter is made. Found the way Camel finds a component, by a file named after the type under
 * {@link #SERVICES} ({@code class=...}), so that a jar on the classpath adds a type, its adapter and its catalog
 * with no change to this project. An implementation needs a public no-argument constructor.
 */
public interface ProviderType {

    /** Where a jar puts the file that names its type's class; the file's name is the type's. */
    String SERVICES = "META-INF/services/dev/soracamel/provider/";

    /** As written in {@code sora.provider.<name>.type}, and as the price table keys its models. */
    String name();

    /** The model catalog an instance reads unless it names its own ({@code sora.provider.<name>.catalog}). */
    String defaultCatalog();

    /**
     * The API's address unless an instance names its own, or null where the type has no one address (a gateway
     * API that many hosts serve): such an instance must set {@code sora.provider.<name>.base-url}.
     */
    default String defaultBaseUrl() {
        return null;
    }

    /** The adapter of one configured instance; {@code catalog} is the instance's catalog, closed by the caller. */
    ProviderAdapter create(ProviderSettings settings, InputStream catalog, ObjectMapper json) throws IOException;
}
