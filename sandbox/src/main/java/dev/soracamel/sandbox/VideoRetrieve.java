package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /v1/videos/{id}}. Like Yes Ai's status call it has a rate window of its own per account, and
 * checks before the model's first-check minimum or past the 60th are counted as breaches but answered, as
 * the real service would answer them: the breach is the client's.
 */
final class VideoRetrieve {

    static final String POLL_AFTER_HEADER = "openai-poll-after-ms";

    private final SandboxState state;
    private final Supplier<String> baseUrl;

    VideoRetrieve(SandboxState state, Supplier<String> baseUrl) {
        this.state = state;
        this.baseUrl = baseUrl;
    }

    void handle(HttpExchange exchange, String videoId) throws OpenAiException, IOException {
        long now = state.clock.nowNanos();
        SandboxAccount account = VideosDoor.RETRIEVE.admit(state, exchange, now);
        SandboxTask task = find(account, videoId);
        task.recordCheck(now, System.currentTimeMillis()).count(task, account.stats);
        TaskStatus status = task.statusAt(now);
        HttpIo.sendJson(exchange, 200, VideoJson.video(state, task, account.dialect, status, now, baseUrl.get()),
                status.active() ? pollAfter(state, account.dialect) : Map.of());
    }

    /** A task of this account's, or OpenAI's 404: another account's video is as unknown as a made-up id. */
    static SandboxTask find(SandboxAccount account, String videoId) throws OpenAiException {
        SandboxTask task = account.find(videoId);
        if (task == null || task.video == null) {
            throw new OpenAiException(OpenAiError.notFound("video_not_found",
                    "Video with id '" + videoId + "' not found."));
        }
        return task;
    }

    /**
     * OpenAI's SDKs wait this long between polls when told; a gateway passes no such header on, so the
     * client's own pacing is tested there.
     */
    static Map<String, String> pollAfter(SandboxState state, Dialect dialect) {
        if (dialect != Dialect.OPENAI) {
            return Map.of();
        }
        long millis = Math.max(1, state.clock.realNanos(state.config.getPollAfterSeconds()) / 1_000_000);
        return Map.of(POLL_AFTER_HEADER, Long.toString(millis));
    }
}
