package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/**
 * {@code GET /v1/videos/{id}/content[?variant=video]}: the MP4, for the task's own account only, from
 * completion until the video expires. Downloads are not rate limited. Only the video variant exists here;
 * the thumbnail and spritesheet of the spec are answered 404, as assets that were never made.
 */
final class VideoContent {

    private final SandboxState state;

    VideoContent(SandboxState state) {
        this.state = state;
    }

    void handle(HttpExchange exchange, String videoId) throws OpenAiException, IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        SandboxAccount account = state.authorized(auth);
        if (account == null) {
            throw new OpenAiException(OpenAiError.invalidApiKey(auth != null));
        }
        String variant = HttpIo.query(exchange.getRequestURI().getRawQuery(), "variant");
        if (variant != null && !variant.equals("video") && !variant.equals("thumbnail")
                && !variant.equals("spritesheet")) {
            throw new OpenAiException(OpenAiError.invalid("variant", "invalid_value", "Invalid value: '" + variant
                    + "'. Supported values are: 'video', 'thumbnail', and 'spritesheet'."));
        }
        SandboxTask task = VideoRetrieve.find(account, videoId);
        long now = state.clock.nowNanos();
        if (task.statusAt(now) != TaskStatus.COMPLETED) {
            throw new OpenAiException(OpenAiError.notFound("video_not_ready", "Video '" + videoId
                    + "' has no content: it is not completed. Use GET /v1/videos/" + videoId + " to check its status."));
        }
        if (variant != null && !variant.equals("video")) {
            throw new OpenAiException(OpenAiError.notFound(null, "The sandbox makes no " + variant
                    + " for video '" + videoId + "'."));
        }
        if (Mp4Response.expired(state, task, now)) {
            throw new OpenAiException(OpenAiError.notFound("video_expired", "Video '" + videoId
                    + "' has expired and its content was deleted."));
        }
        Mp4Response.send(exchange, state, task);
    }
}
