package dev.soracamel.provider;

/** One HTTP request to a provider, as an adapter describes it; the route sends it with camel-http. */
public record HttpCall(String method, String url, String jsonBody) {
}
