package dev.soracamel.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The video object of /v1/videos as each dialect words it. OPENAI gives every field of the spec's
 * VideoResource, nulls included; GATEWAY swaps the string {@code seconds} for an integer {@code duration}
 * and adds the finished video's link as {@code video_url} and {@code video.url}.
 */
final class VideoJson {

    static final String MODERATION_MESSAGE = "The video was blocked by our moderation system: it appears to show a "
            + "photorealistic person or a public figure. Change the prompt or the reference image and try again.";
    static final String TIMEOUT_MESSAGE = "The video generation timed out and was stopped; nothing was charged. "
            + "Create it again.";

    private VideoJson() {
    }

    /** The task as it is at {@code nowNanos}, or as {@code status} says when that is given (the create answer). */
    static Map<String, Object> video(SandboxState state, SandboxTask task, Dialect dialect, TaskStatus status,
                                     long nowNanos, String baseUrl) {
        VideoRequest r = task.video;
        boolean completed = status == TaskStatus.COMPLETED;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", task.apiId);
        m.put("object", "video");
        m.put("model", r.model().id);
        m.put("status", dialect.status(status));
        m.put("progress", status == TaskStatus.QUEUED ? 0 : task.progressAt(nowNanos));
        m.put("created_at", task.createdMillis / 1000);
        m.put("completed_at", completed ? task.finalAtMillis() / 1000 : null);
        m.put("expires_at", completed ? Mp4Response.expiresAtMillis(state, task) / 1000 : null);
        m.put("error", error(status));
        m.put("prompt", r.prompt());
        m.put("remixed_from_video_id", null);
        m.put("size", r.size());
        if (dialect == Dialect.OPENAI) {
            m.put("seconds", r.seconds());
        } else {
            m.put("duration", Integer.parseInt(r.seconds()));
            String link = completed ? AnimationJson.resultUrl(task, baseUrl) : null;
            m.put("video_url", link);
            m.put("video", link == null ? null : Map.of("url", link));
        }
        return m;
    }

    /**
     * The spec's Error-2, {@code {code, message}}. A moderation failure says moderation_blocked, as OpenAI
     * does; a timeout says timeout, as a gateway that gives up on its upstream would. Both are final.
     */
    private static Map<String, Object> error(TaskStatus status) {
        if (status != TaskStatus.REJECTED && status != TaskStatus.TIMED_OUT) {
            return null;
        }
        Map<String, Object> e = new LinkedHashMap<>();
        boolean moderation = status == TaskStatus.REJECTED;
        e.put("code", moderation ? "moderation_blocked" : "timeout");
        e.put("message", moderation ? MODERATION_MESSAGE : TIMEOUT_MESSAGE);
        return e;
    }
}
