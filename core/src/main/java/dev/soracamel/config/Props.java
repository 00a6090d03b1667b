package dev.soracamel.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.util.TimeUtils;

/**
 * Typed reads of a pipeline's properties; a missing required key fails with its name. Keys are written as
 * documented, {@code sora.inbox}; a pipeline named other than {@code sora} reads them under its own name
 * ({@code promo.inbox} for a pipeline named {@code promo}), so two pipelines in one context never share a
 * setting by accident.
 */
public final class Props {

    public static final String DEFAULT_PIPELINE = "sora";

    private final Function<String, Optional<String>> lookup;
    private final String pipeline;

    public Props(Function<String, Optional<String>> lookup) {
        this(lookup, DEFAULT_PIPELINE);
    }

    public Props(Function<String, Optional<String>> lookup, String pipeline) {
        this.lookup = lookup;
        this.pipeline = pipeline;
    }

    public String pipeline() {
        return pipeline;
    }

    /** The key as this pipeline spells it: {@code sora.x} becomes {@code <pipeline>.x}. */
    public String key(String key) {
        return pipeline.equals(DEFAULT_PIPELINE) || !key.startsWith(DEFAULT_PIPELINE + ".")
                ? key : pipeline + key.substring(DEFAULT_PIPELINE.length());
    }

    /** The value as written, blank included (where blank means something, such as a bucket's top). */
    public Optional<String> raw(String key) {
        return lookup.apply(key(key));
    }

    public Optional<String> find(String key) {
        return lookup.apply(key(key)).map(String::strip).filter(s -> !s.isEmpty());
    }

    public String string(String key) {
        return find(key).orElseThrow(() -> new IllegalStateException("missing property " + key(key)));
    }

    public String string(String key, String def) {
        return find(key).orElse(def);
    }

    public int integer(String key, int def) {
        return find(key).map(v -> parse(key(key), v, Integer::parseInt)).orElse(def);
    }

    public long longValue(String key, long def) {
        return find(key).map(v -> parse(key(key), v, Long::parseLong)).orElse(def);
    }

    public double decimal(String key, double def) {
        return find(key).map(v -> parse(key(key), v, Double::parseDouble)).orElse(def);
    }

    public boolean bool(String key, boolean def) {
        return find(key).map(Boolean::parseBoolean).orElse(def);
    }

    /** Durations are written as Camel writes them: 500ms, 20s, 5m, 1h30m, or plain milliseconds. */
    public Duration duration(String key, String def) {
        String v = find(key).orElse(def);
        return Duration.ofMillis(parse(key(key), v, TimeUtils::toMilliSeconds));
    }

    private static <T> T parse(String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalStateException("property " + key + " has an unreadable value '" + value + "'", e);
        }
    }

    /** A provider as log lines name it: {@code yesai} in the standalone pipeline, {@code orders/yesai} in pipeline orders. */
    public static String who(String pipeline, String provider) {
        return DEFAULT_PIPELINE.equals(pipeline) ? provider : pipeline + "/" + provider;
    }

    /** Before a log line that names no job: nothing in the standalone pipeline, {@code "pipeline orders: "} in another. */
    public static String logPrefix(String pipeline) {
        return DEFAULT_PIPELINE.equals(pipeline) ? "" : "pipeline " + pipeline + ": ";
    }
}
