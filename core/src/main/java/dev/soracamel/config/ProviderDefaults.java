package dev.soracamel.config;

/**
 * What a provider type lends the settings of an instance that leaves them out, found by the type's name. The
 * settings ask through this, not the provider package itself, which builds its adapters from the settings.
 */
@FunctionalInterface
public interface ProviderDefaults {

    /** The defaults of provider {@code provider}'s type {@code type}; a sentence naming both when there is none. */
    Of of(String provider, String type);

    /**
     * @param type    the type's name
     * @param baseUrl where its API is when the instance names none; null: the instance must name it
     * @param catalog its model catalog's location
     */
    record Of(String type, String baseUrl, String catalog) {
    }
}
