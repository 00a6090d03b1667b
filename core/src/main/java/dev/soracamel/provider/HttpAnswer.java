package dev.soracamel.provider;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** A provider's answer as the adapters read it: status, body, and headers (names case-insensitive). */
public record HttpAnswer(int status, String body, Map<String, String> headers) {

    public HttpAnswer {
        TreeMap<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            h.putAll(headers);
        }
        headers = h;
    }

    public static HttpAnswer of(int status, String body) {
        return new HttpAnswer(status, body, Map.of());
    }

    public String header(String name) {
        return headers.get(name);
    }

    /**
     * How long the provider asks us to wait: {@code retry-after-ms}, {@code Retry-After} in seconds, or
     * null when it does not say (an HTTP-date Retry-After is rare from APIs and is ignored).
     */
    public Duration retryAfter() {
        Duration ms = millis("retry-after-ms");
        if (ms != null) {
            return ms;
        }
        String s = header("Retry-After");
        if (s != null) {
            try {
                return Duration.ofMillis(Math.round(Double.parseDouble(s.strip()) * 1000));
            } catch (NumberFormatException ignored) {
                return null;
            }
        }
        return null;
    }

    /** A header holding milliseconds, or null. */
    public Duration millis(String name) {
        String s = header(name);
        if (s == null) {
            return null;
        }
        try {
            long v = Math.round(Double.parseDouble(s.strip()));
            return v >= 0 ? Duration.ofMillis(v) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
