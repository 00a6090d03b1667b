package dev.soracamel.provider;

import java.util.Map;

/**
 * One HTTP request to a provider, as an adapter describes it; the route sends it with camel-http.
 *
 * @param headers request headers of the adapter's own (an {@code Idempotency-Key}); the route adds the token
 *                and the content type
 */
public record HttpCall(String method, String url, String jsonBody, Map<String, String> headers) {

    public HttpCall(String method, String url, String jsonBody) {
        this(method, url, jsonBody, Map.of());
    }
}
