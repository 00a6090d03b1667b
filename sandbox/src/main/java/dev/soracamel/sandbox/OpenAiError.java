package dev.soracamel.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One error answer of the /v1/videos API in OpenAI's shape, {@code {"error":{"message","type","param",
 * "code"}}} (the spec's ErrorResponse), with the headers that go with it. The wording follows what OpenAI's
 * API answers for the same mistakes, so a client's error reporting meets real texts.
 */
record OpenAiError(int httpStatus, String type, String param, String code, String message,
                   Map<String, String> headers) {

    static final String INVALID_REQUEST = "invalid_request_error";

    /** A 400 about one request field ({@code param}, dotted for nested ones). */
    static OpenAiError invalid(String param, String code, String message) {
        return new OpenAiError(400, INVALID_REQUEST, param, code, message, Map.of());
    }

    /** The token is never echoed back, not even in part: sandbox tokens end up in logs too. */
    static OpenAiError invalidApiKey(boolean sentOne) {
        String message = sentOne
                ? "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
                : "You didn't provide an API key. You need to provide your API key in an Authorization header "
                        + "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).";
        return new OpenAiError(401, INVALID_REQUEST, null, "invalid_api_key", message, Map.of());
    }

    static OpenAiError invalidUrl(String method, String path) {
        return new OpenAiError(404, INVALID_REQUEST, null, null, "Invalid URL (" + method + " " + path + ")", Map.of());
    }

    static OpenAiError notFound(String code, String message) {
        return new OpenAiError(404, INVALID_REQUEST, null, code, message, Map.of());
    }

    /** 429 for going faster than one request a provider second; says exactly when the next one is welcome. */
    static OpenAiError rateLimited(String what, long waitNanos) {
        return new OpenAiError(429, "requests", null, "rate_limit_exceeded",
                "Rate limit reached for " + what + ": limit 1 per second. Please try again later.",
                retryAfter(waitNanos));
    }

    /** 429 without Retry-After: nobody knows when a running task ends, the client must decide. */
    static OpenAiError concurrencyLimit(int limit) {
        return new OpenAiError(429, "requests", null, "concurrency_limit_exceeded",
                "Too many concurrent video generations: your limit is " + limit
                        + " in progress at once. Wait for one to finish before creating another.", Map.of());
    }

    /** As OpenAI answers an account without credit: a 429 that waiting does not cure. */
    static OpenAiError insufficientQuota() {
        return new OpenAiError(429, "insufficient_quota", null, "insufficient_quota",
                "You exceeded your current quota, please check your plan and billing details.", Map.of());
    }

    static OpenAiError moderationBlocked() {
        return new OpenAiError(400, INVALID_REQUEST, null, "moderation_blocked",
                "Your request was blocked by our moderation system.", Map.of());
    }

    static OpenAiError serverError() {
        return new OpenAiError(500, "server_error", null, null,
                "The server had an error while processing your request. Sorry about that!", Map.of());
    }

    /**
     * A test's injected failure: its status, and its code as {@code error.code}. A 429 or 503 says when to
     * come back, as OpenAI's do.
     */
    static OpenAiError injected(ApiError error, long waitNanos) {
        int status = error.httpStatus();
        String type = status == 429 ? "requests" : status >= 500 ? "server_error" : INVALID_REQUEST;
        Map<String, String> headers = status == 429 || status == 503 ? retryAfter(waitNanos) : Map.of();
        return new OpenAiError(status, type, null, error.code(), "Injected failure (sandbox): " + error.code(), headers);
    }

    Map<String, Object> body() {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        return body;
    }

    /**
     * {@code Retry-After} must be whole seconds (RFC 9110), so it is rounded up and at least 1;
     * {@code retry-after-ms}, which OpenAI's SDKs prefer, carries the exact wait in real time.
     */
    static Map<String, String> retryAfter(long waitNanos) {
        long millis = Math.max(1, (waitNanos + 999_999) / 1_000_000);
        long seconds = Math.max(1, (millis + 999) / 1000);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Retry-After", Long.toString(seconds));
        h.put("retry-after-ms", Long.toString(millis));
        return h;
    }
}
