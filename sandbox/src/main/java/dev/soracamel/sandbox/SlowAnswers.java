package dev.soracamel.sandbox;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.function.ToLongFunction;

/**
 * Holds an endpoint's answer back, as a slow provider does: the request is handled (and so seen, counted and
 * judged by the rate rules) the moment it arrives, and only its answer waits. The client thus has a call on the
 * wire for the whole delay, which is what a crash test aims at. An answer withheld on purpose (a dropped
 * connection) is dropped after the same delay.
 */
final class SlowAnswers implements HttpHandler {

    private final HttpHandler inner;
    private final ToLongFunction<HttpExchange> delayNanos;

    /** @param delayNanos real nanoseconds to hold this request's answer back; 0 answers at once */
    SlowAnswers(HttpHandler inner, ToLongFunction<HttpExchange> delayNanos) {
        this.inner = inner;
        this.delayNanos = delayNanos;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        long delay = delayNanos.applyAsLong(exchange);
        if (delay <= 0) {
            inner.handle(exchange);
            return;
        }
        long arrived = System.nanoTime();
        Held held = new Held(exchange);
        IOException dropped = null;
        try {
            inner.handle(held);
        } catch (IOException e) {
            dropped = e;
        }
        try (exchange) {
            long left = arrived + delay - System.nanoTime();
            if (left > 0) {
                try {
                    Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("sandbox stopped while holding an answer back");
                }
            }
            if (dropped != null) {
                throw dropped;
            }
            held.release();
        }
    }

    /** The exchange as the handler sees it: the answer goes into a buffer until it is released. */
    private static final class Held extends HttpExchange {
        private final HttpExchange real;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int code = -1;
        private long length;

        Held(HttpExchange real) {
            this.real = real;
        }

        void release() throws IOException {
            if (code < 0) {
                return; // the handler answered nothing; closing the real exchange ends it as it would have
            }
            byte[] bytes = body.toByteArray();
            real.sendResponseHeaders(code, length < 0 ? -1 : (length == 0 ? 0 : bytes.length));
            if (length >= 0) {
                try (OutputStream out = real.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }

        @Override public Headers getRequestHeaders() { return real.getRequestHeaders(); }
        @Override public Headers getResponseHeaders() { return real.getResponseHeaders(); }
        @Override public URI getRequestURI() { return real.getRequestURI(); }
        @Override public String getRequestMethod() { return real.getRequestMethod(); }
        @Override public HttpContext getHttpContext() { return real.getHttpContext(); }
        @Override public void close() { /* released later */ }
        @Override public InputStream getRequestBody() { return real.getRequestBody(); }
        @Override public OutputStream getResponseBody() { return body; }

        @Override
        public void sendResponseHeaders(int rCode, long responseLength) throws IOException {
            if (code >= 0) {
                throw new IOException("headers already sent");
            }
            code = rCode;
            length = responseLength;
        }

        @Override public InetSocketAddress getRemoteAddress() { return real.getRemoteAddress(); }
        @Override public int getResponseCode() { return code; }
        @Override public InetSocketAddress getLocalAddress() { return real.getLocalAddress(); }
        @Override public String getProtocol() { return real.getProtocol(); }
        @Override public Object getAttribute(String name) { return real.getAttribute(name); }
        @Override public void setAttribute(String name, Object value) { real.setAttribute(name, value); }
        @Override public void setStreams(InputStream i, OutputStream o) { throw new UnsupportedOperationException(); }
        @Override public HttpPrincipal getPrincipal() { return real.getPrincipal(); }
    }
}
