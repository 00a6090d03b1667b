package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;

/**
 * {@code GET /sandbox/files/<id>.mp4?token=...}: the result link of Yes Ai and of a /v1/videos gateway.
 * Like a CDN link it needs no bearer token but its own, and it dies a fixed time after completion.
 */
final class DownloadHandler implements HttpHandler {

    static final String PATH = "/sandbox/files/";
    private final SandboxState state;

    DownloadHandler(SandboxState state) {
        this.state = state;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod())) {
                HttpIo.sendText(exchange, 405, "405 Method Not Allowed\n");
                return;
            }
            SandboxTask task = findTask(exchange.getRequestURI().getRawPath());
            long now = state.clock.nowNanos();
            if (task == null || task.statusAt(now) != TaskStatus.COMPLETED
                    || !task.downloadToken.equals(HttpIo.query(exchange.getRequestURI().getRawQuery(), "token"))) {
                HttpIo.sendText(exchange, 404, "404 Not Found\n");
                return;
            }
            if (Mp4Response.expired(state, task, now)) {
                HttpIo.sendText(exchange, 404, "404 Not Found\n");
                return;
            }
            Mp4Response.send(exchange, state, task);
        }
    }

    private SandboxTask findTask(String path) {
        String name = path.substring(PATH.length());
        if (!name.matches("[1-9][0-9]{0,17}\\.mp4")) {
            return null;
        }
        return state.findByNumber(Long.parseLong(name.substring(0, name.length() - 4)));
    }
}
