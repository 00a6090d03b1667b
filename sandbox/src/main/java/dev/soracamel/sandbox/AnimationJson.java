package dev.soracamel.sandbox;

import java.util.LinkedHashMap;
import java.util.Map;

/** The success bodies of the submit and status calls: {@code results.animation_data} in an OK envelope. */
final class AnimationJson {

    private AnimationJson() {
    }

    static Map<String, Object> created(SandboxTask task) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", task.id);
        data.put("status", TaskStatus.QUEUED.code);
        data.put("status_description", TaskStatus.QUEUED.description);
        data.put("version", task.request.version());
        data.put("created_at", task.createdAt.toString());
        return envelope(data);
    }

    /** {@code result_url} only at status 2, comments only at status 3, as seed 000 describes. */
    static Map<String, Object> status(SandboxTask task, TaskStatus status, String baseUrl) {
        SubmitRequest r = task.request;
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", task.id);
        data.put("status", status.code);
        data.put("status_description", status.description);
        data.put("version", r.version());
        data.put("prompt", r.prompt());
        data.put("customer_id", task.customerId);
        data.put("resolution", r.resolution());
        data.put("dimensions", r.dimensions());
        data.put("duration", r.duration());
        data.put("image_url", r.imageUrl());
        data.put("created_at", task.createdAt.toString());
        boolean rejected = status == TaskStatus.REJECTED;
        data.put("comment_ru", rejected ? SandboxTask.REJECT_COMMENT_RU : null);
        data.put("comment_en", rejected ? SandboxTask.REJECT_COMMENT_EN : null);
        data.put("result_url", status == TaskStatus.COMPLETED ? resultUrl(task, baseUrl) : null);
        return envelope(data);
    }

    static String resultUrl(SandboxTask task, String baseUrl) {
        return baseUrl + DownloadHandler.PATH + task.id + ".mp4?token=" + task.downloadToken;
    }

    private static Map<String, Object> envelope(Map<String, Object> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("success", true);
        body.put("message", "OK");
        body.put("results", Map.of("animation_data", data));
        return body;
    }
}
