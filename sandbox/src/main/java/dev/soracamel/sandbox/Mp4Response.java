package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A finished task's MP4, the same for Yes Ai's result link and for {@code /v1/videos/{id}/content}: it
 * lives a fixed time after completion, and it is streamed with an exact Content-Length, so any size costs
 * no memory. The size and truncation markers of the prompt apply to both.
 */
final class Mp4Response {

    private static final Logger LOG = LoggerFactory.getLogger(Mp4Response.class);

    private Mp4Response() {
    }

    /** True, and counted against the task's account, when the video was deleted already. */
    static boolean expired(SandboxState state, SandboxTask task, long nowNanos) {
        if (nowNanos - task.finalAtNanos() < state.clock.realNanos(state.config.getLinkTtlSeconds())) {
            return false;
        }
        task.stats.expiredDownload();
        LOG.info("task {}: video fetched after its lifetime", task.apiId);
        return true;
    }

    /** Wall-clock millis at which the video is deleted; only meaningful once the task completed. */
    static long expiresAtMillis(SandboxState state, SandboxTask task) {
        return task.finalAtMillis() + state.clock.realNanos(state.config.getLinkTtlSeconds()) / 1_000_000;
    }

    /** Answers 200 with the video; a {@code [sandbox:truncate-once]} task's first answer is cut in half. */
    static void send(HttpExchange exchange, SandboxState state, SandboxTask task) throws IOException {
        long size = Mp4Padding.servedSize(state.sample.length, task.videoBytes);
        boolean truncate = task.takeTruncate();
        task.stats.download();
        task.recordDownload(System.currentTimeMillis());
        exchange.getResponseHeaders().set("Content-Type", "video/mp4");
        exchange.sendResponseHeaders(200, size);
        OutputStream out = exchange.getResponseBody();
        if (truncate) {
            Mp4Padding.copy(state.sample, task.videoBytes, out, size / 2);
            out.flush();
            LOG.info("task {}: cutting the download after {} of {} bytes on purpose", task.apiId, size / 2, size);
            throw HttpIo.abortConnection("[sandbox:truncate-once]");
        }
        Mp4Padding.copy(state.sample, task.videoBytes, out, size);
        out.close();
    }
}
