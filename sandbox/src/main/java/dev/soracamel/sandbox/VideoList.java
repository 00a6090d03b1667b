package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code GET /v1/videos} (the spec's ListVideos): the account's videos, {@code limit} (0 to 100, default 20)
 * at a time, newest first unless {@code order=asc}, after the video {@code after}. Each item is the same
 * video object {@code GET /v1/videos/{id}} answers, but listing is not a check of any task: no task's
 * check count or first-check minimum is touched. It is a GET of the account like the retrievals, and shares
 * their rate window, so a client cannot slip a list in between two checks.
 */
final class VideoList {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 100;

    private final SandboxState state;
    private final Supplier<String> baseUrl;

    VideoList(SandboxState state, Supplier<String> baseUrl) {
        this.state = state;
        this.baseUrl = baseUrl;
    }

    void handle(HttpExchange exchange) throws OpenAiException, IOException {
        long now = state.clock.nowNanos();
        SandboxAccount account = VideosDoor.LIST.admit(state, exchange, now);
        String query = exchange.getRequestURI().getRawQuery();
        int limit = limit(HttpIo.query(query, "limit"));
        String order = HttpIo.query(query, "order");
        if (order != null && !order.equals("asc") && !order.equals("desc")) {
            throw new OpenAiException(OpenAiError.invalid("order", "invalid_value", "Invalid value for 'order': "
                    + "expected one of 'asc' or 'desc', got '" + order + "'."));
        }
        String after = HttpIo.query(query, "after");

        List<SandboxTask> videos = new ArrayList<>(account.videos());
        if (!"asc".equals(order)) {
            Collections.reverse(videos);
        }
        int start = 0;
        if (after != null && !after.isEmpty()) {
            start = -1;
            for (int i = 0; i < videos.size(); i++) {
                if (videos.get(i).apiId.equals(after)) {
                    start = i + 1;
                    break;
                }
            }
            if (start < 0) {
                throw new OpenAiException(OpenAiError.notFound("video_not_found",
                        "Video with id '" + after + "' not found."));
            }
        }
        List<Object> data = new ArrayList<>();
        int end = Math.min(videos.size(), start + limit);
        for (int i = start; i < end; i++) {
            SandboxTask t = videos.get(i);
            data.add(VideoJson.video(state, t, account.dialect, t.statusAt(now), now, baseUrl.get()));
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("object", "list");
        page.put("data", data);
        page.put("first_id", end > start ? videos.get(start).apiId : null);
        page.put("last_id", end > start ? videos.get(end - 1).apiId : null);
        page.put("has_more", end < videos.size());
        HttpIo.sendJson(exchange, 200, page);
    }

    private static int limit(String raw) throws OpenAiException {
        if (raw == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= 0 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new OpenAiException(OpenAiError.invalid("limit", "invalid_value", "Invalid 'limit': expected an "
                + "integer from 0 to " + MAX_LIMIT + ", got '" + raw + "'."));
    }
}
