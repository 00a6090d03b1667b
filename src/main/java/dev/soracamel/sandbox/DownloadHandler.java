package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /sandbox/files/<id>.mp4?token=...}: the result link, like a CDN link it needs no bearer token
 * but its own, and it dies a fixed time after completion. The body is streamed with an exact
 * Content-Length, so any size costs no memory.
 */
final class DownloadHandler implements HttpHandler {

    static final String PATH = "/sandbox/files/";
    private static final Logger LOG = LoggerFactory.getLogger(DownloadHandler.class);

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
                    || !task.downloadToken.equals(query(exchange.getRequestURI().getRawQuery(), "token"))) {
                HttpIo.sendText(exchange, 404, "404 Not Found\n");
                return;
            }
            if (now - task.finalAtNanos() >= state.clock.realNanos(state.config.getLinkTtlSeconds())) {
                state.stats.expiredDownload();
                LOG.info("task {}: result link fetched after its lifetime", task.id);
                HttpIo.sendText(exchange, 404, "404 Not Found\n");
                return;
            }
            long size = Mp4Padding.servedSize(state.sample.length, task.videoBytes);
            boolean truncate = task.takeTruncate();
            state.stats.download();
            task.recordDownload(System.currentTimeMillis());
            exchange.getResponseHeaders().set("Content-Type", "video/mp4");
            exchange.sendResponseHeaders(200, size);
            OutputStream out = exchange.getResponseBody();
            if (truncate) {
                Mp4Padding.copy(state.sample, task.videoBytes, out, size / 2);
                out.flush();
                LOG.info("task {}: cutting the download after {} of {} bytes on purpose", task.id, size / 2, size);
                throw HttpIo.abortConnection("[sandbox:truncate-once]");
            }
            Mp4Padding.copy(state.sample, task.videoBytes, out, size);
            out.close();
        }
    }

    private SandboxTask findTask(String path) {
        String name = path.substring(PATH.length());
        if (!name.matches("[1-9][0-9]{0,17}\\.mp4")) {
            return null;
        }
        return state.find(Long.parseLong(name.substring(0, name.length() - 4)));
    }

    private static String query(String rawQuery, String name) {
        if (rawQuery == null) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return pair.substring(eq + 1);
            }
        }
        return null;
    }
}
