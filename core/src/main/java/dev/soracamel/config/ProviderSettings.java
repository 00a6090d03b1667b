package dev.soracamel.config;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;


/**
 * One configured provider instance ({@code sora.provider.<name>.*}): where it is, who we are to it, and
 * the limits it imposes. Durations here are the provider's own; {@link SoraSettings#scaled} shrinks them
 * only in sandbox runs.
 */
public record ProviderSettings(
        String name,
        String type,
        URI baseUrl,
        String token,
        int activeTasks,
        Duration submitSpacing,
        Duration statusSpacing,
        Duration pollInterval,
        int maxStatusChecks,
        int maxTimeoutResubmits,
        String catalog,
        Duration connectTimeout,
        Duration responseTimeout,
        String account) {

    /** Active-task limits of the Yes Ai tariffs (seed 000). */
    public static final Map<String, Integer> TARIFFS = Map.of(
            "demo", 1, "micro", 2, "start", 3, "standard", 5, "vip", 10);

    /** The instance's settings; where a key is not set, its type's default (a type without one requires the key). */
    public static ProviderSettings read(Props p, String name, ProviderDefaults types) {
        String k = "sora.provider." + name + ".";
        ProviderDefaults.Of type = types.of(name, p.string(k + "type"));
        String baseUrl = type.baseUrl();
        return new ProviderSettings(
                name,
                type.type(),
                URI.create(baseUrl != null ? p.string(k + "base-url", baseUrl) : p.required(k + "base-url")),
                p.string(k + "token"),
                activeTasks(p.string(k + "tariff"), k + "tariff"),
                p.duration(k + "submit-spacing"),
                p.duration(k + "status-spacing"),
                p.duration(k + "poll-interval"),
                p.integer(k + "max-status-checks"),
                p.integer(k + "max-timeout-resubmits"),
                p.string(k + "catalog", type.catalog()),
                p.duration(k + "connect-timeout"),
                p.duration(k + "response-timeout"),
                // the account's slots and gates are shared by whatever names the same account: every node of a
                // pipeline, and another pipeline that says so
                p.string(k + "account", p.pipeline() + "." + name));
    }

    /** A tariff name (Demo, Micro, Start, Standard, VIP) or a plain number of active tasks. */
    public static int activeTasks(String tariff, String key) {
        Integer known = TARIFFS.get(tariff.toLowerCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        try {
            int n = Integer.parseInt(tariff);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalStateException(key + " must be Demo, Micro, Start, Standard, VIP or a positive number, not '"
                + tariff + "'");
    }

    public boolean hasToken() {
        return token != null && !token.isBlank();
    }

    public boolean isLoopback() {
        String host = baseUrl.getHost();
        return "127.0.0.1".equals(host) || "localhost".equals(host) || "[::1]".equals(host);
    }
}
