package dev.soracamel.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.util.TimeUtils;

/** Typed reads of the {@code sora.*} properties; a missing required key fails with its name. */
public final class Props {

    private final Function<String, Optional<String>> lookup;

    public Props(Function<String, Optional<String>> lookup) {
        this.lookup = lookup;
    }

    public Optional<String> find(String key) {
        return lookup.apply(key).map(String::strip).filter(s -> !s.isEmpty());
    }

    public String string(String key) {
        return find(key).orElseThrow(() -> new IllegalStateException("missing property " + key));
    }

    public String string(String key, String def) {
        return find(key).orElse(def);
    }

    public int integer(String key, int def) {
        return find(key).map(v -> parse(key, v, Integer::parseInt)).orElse(def);
    }

    public long longValue(String key, long def) {
        return find(key).map(v -> parse(key, v, Long::parseLong)).orElse(def);
    }

    public double decimal(String key, double def) {
        return find(key).map(v -> parse(key, v, Double::parseDouble)).orElse(def);
    }

    public boolean bool(String key, boolean def) {
        return find(key).map(Boolean::parseBoolean).orElse(def);
    }

    /** Durations are written as Camel writes them: 500ms, 20s, 5m, 1h30m, or plain milliseconds. */
    public Duration duration(String key, String def) {
        String v = find(key).orElse(def);
        return Duration.ofMillis(parse(key, v, TimeUtils::toMilliSeconds));
    }

    private static <T> T parse(String key, String value, Function<String, T> parser) {
        try {
            return parser.apply(value);
        } catch (RuntimeException e) {
            throw new IllegalStateException("property " + key + " has an unreadable value '" + value + "'", e);
        }
    }
}
