package dev.soracamel.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.util.TimeUtils;

/**
 * Typed reads of a pipeline's properties; a missing required key fails with its name. Keys are written as
 * documented, {@code sora.inbox}; a pipeline named other than {@code sora} reads them under its own name
 * ({@code promo.inbox} for a pipeline named {@code promo}), so two pipelines in one context never share a
 * setting by accident. A key that is not set reads as its default in {@link SoraOptions}, the one place a
 * default is written; a {@code sora.*} key the catalog does not know fails at once, so a misspelt read
 * cannot fall back on a default nobody documented.
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
        known(key);
        return lookup.apply(key(key));
    }

    /** The value as written, blank included; where it is not set, the catalog's default. */
    public String rawOrDefault(String key) {
        return raw(key).orElseGet(() -> fallback(key));
    }

    public Optional<String> find(String key) {
        return raw(key).map(String::strip).filter(s -> !s.isEmpty());
    }

    /** The value, else the catalog's default (blank where the default is none). */
    public String string(String key) {
        return find(key).orElseGet(() -> fallback(key));
    }

    /**
     * An option whose default the catalog only describes, being computed from other options or the
     * environment: the caller computes it. Any other option's default is the catalog's alone.
     */
    public String string(String key, String derived) {
        SoraOptions.Option o = known(key);
        if (o != null && !o.derived()) {
            throw new IllegalArgumentException(key + " has its default in the option catalog (SoraOptions): read it "
                    + "without one");
        }
        return find(key).orElse(derived);
    }

    /** The value; there is no default to fall back on. */
    public String required(String key) {
        return find(key).orElseThrow(() -> new IllegalStateException("missing property " + key(key)));
    }

    public int integer(String key) {
        return parse(key(key), value(key), Integer::parseInt);
    }

    public long longValue(String key) {
        return parse(key(key), value(key), Long::parseLong);
    }

    public double decimal(String key) {
        return parse(key(key), value(key), Double::parseDouble);
    }

    public boolean bool(String key) {
        return Boolean.parseBoolean(value(key));
    }

    /** Durations are written as Camel writes them: 500ms, 20s, 5m, 1h30m, or plain milliseconds. */
    public Duration duration(String key) {
        return Duration.ofMillis(parse(key(key), value(key), TimeUtils::toMilliSeconds));
    }

    /** A value that must be there: set, or a non-blank default in the catalog. */
    private String value(String key) {
        String v = string(key);
        if (v.isEmpty()) {
            throw new IllegalStateException("missing property " + key(key));
        }
        return v;
    }

    private String fallback(String key) {
        SoraOptions.Option o = known(key);
        if (o == null) {
            return "";
        }
        return switch (o.kind()) {
            case VALUE -> o.value();
            case REQUIRED -> throw new IllegalStateException("missing property " + key(key));
            case DERIVED -> throw new IllegalArgumentException(key + "'s default is derived (" + o.value()
                    + "): read it with string(key, derived)");
        };
    }

    /** The catalog's option of a {@code sora.*} key; code reading a key the catalog does not know fails at once. */
    private static SoraOptions.Option known(String key) {
        return key.startsWith(DEFAULT_PIPELINE + ".") ? SoraOptions.get(key) : null;
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
