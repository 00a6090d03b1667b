package dev.soracamel.sandbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers for answering over the JDK's HttpServer. */
final class HttpIo {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Submit bodies are a few hundred bytes; anything near this is not a real request. */
    static final int MAX_REQUEST_BODY = 1024 * 1024;

    private HttpIo() {
    }

    static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        sendBytes(exchange, status, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
    }

    static void sendJson(HttpExchange exchange, int status, Object body, Map<String, String> headers)
            throws IOException {
        headers.forEach(exchange.getResponseHeaders()::set);
        sendJson(exchange, status, body);
    }

    static void sendText(HttpExchange exchange, int status, String body) throws IOException {
        sendBytes(exchange, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
    }

    static void sendError(HttpExchange exchange, ApiError error) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", false);
        body.put("message", error.code());
        sendJson(exchange, error.httpStatus(), body);
    }

    /** At most {@link #MAX_REQUEST_BODY} + 1 bytes, so an oversized body is recognisable without buffering it. */
    static byte[] readBody(HttpExchange exchange) throws IOException {
        return readBody(exchange, MAX_REQUEST_BODY);
    }

    /** At most {@code max} + 1 bytes. */
    static byte[] readBody(HttpExchange exchange, int max) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            return in.readNBytes(max + 1);
        }
    }

    /** The raw value of a query parameter, or null when absent. */
    static String query(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }

    /**
     * Ends the exchange with no response at all. Throwing out of the handler makes the JDK server close
     * the connection, which is what a client sees when a proxy or the provider dies mid-request.
     */
    static IOException abortConnection(String why) {
        return new IOException("sandbox closed the connection on purpose: " + why);
    }

    private static void sendBytes(HttpExchange exchange, int status, String contentType, byte[] bytes)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
