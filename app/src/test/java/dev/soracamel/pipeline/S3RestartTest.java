package dev.soracamel.pipeline;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A stop and start while a batch from S3 is under way: every request still ends in exactly one place and
 * the provider saw exactly one task per request. The provider (the sandbox) runs outside the pipeline here,
 * as a real one does, so that it keeps its tasks across the restart.
 */
class S3RestartTest extends S3PipelineTestSupport {

    private SandboxConfig provider;
    private SandboxServer sandbox;

    private SandboxServer provider() {
        if (sandbox == null) {
            provider = new SandboxConfig().timeScale(timeScale()).activeTaskLimit(activeTasks());
            try {
                sandbox = SandboxServer.start(provider);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return sandbox;
    }

    @Override
    protected void configureS3(Properties p) {
        s3Intake(p, false);
        s3Storage(p);
        s3DeadLetters(p);
        SandboxServer server = provider();
        p.put("sora.sandbox.enabled", "false");
        p.put("sora.provider.yesai.base-url", server.baseUrl());
        p.put("sora.provider.yesai.token", provider.getToken());
        p.put("sora.time-scale", String.valueOf(timeScale()));
    }

    @Override
    SandboxServer sandbox() {
        return provider();
    }

    @AfterEach
    void stopProvider() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @Test
    void a_restart_in_the_middle_of_a_batch_loses_nothing_and_submits_nothing_twice() throws Exception {
        List<String> ids = new ArrayList<>();
        StringBuilder batch = new StringBuilder("[");
        for (int i = 1; i <= 5; i++) {
            batch.append(i > 1 ? "," : "").append(v2(prompt("batch-" + i), "tg-r"));
            ids.add("batch-" + i);
        }
        put("batch.json", batch.append("]").toString());
        for (String single : List.of("a", "b", "c")) {
            put(single + ".json", v2(prompt(single), "tg-r"));
            ids.add(single);
        }
        // the board's record, not a listing of the bucket: S3Proxy may list a key while its upload completes
        await(() -> storedOnBoard() >= 1 && !board().queries().idle(), Duration.ofSeconds(30),
                () -> "waiting for a stored video while others are in flight: " + board().queries().counts());
        long storedBefore = storedOnBoard();

        restart(p -> { });

        awaitSettled(ids.size(), Duration.ofSeconds(60));
        List<String> videos = keys(VIDEOS);
        List<String> dead = keys(DEAD);
        for (String id : ids) {
            assertThat(videos.contains(videoKey("tg-r", id))).as(id + " stored").isTrue();
            assertThat(dead).as(id + " not also dead-lettered").doesNotContain(errorKey(id));
        }
        assertThat(storedBefore).as("the stop came in the middle of the batch").isBetween(1L, ids.size() - 1L);
        assertThat(storedCount()).isEqualTo(ids.size());
        assertThat(deadCount()).isZero();
        assertThat(sandbox().stats().tasksCreatedByPrompt()).hasSize(ids.size()).allSatisfy((prompt, n) ->
                assertThat(n).as(prompt).isEqualTo(1));
        assertNoBreaches();
        assertThat(keys(INBOX)).isEmpty();
        assertThat(keys(PROCESSED)).hasSize(4);
    }

    private static String prompt(String id) {
        return "Scene " + id + " of a batch that survives a restart";
    }

    private long storedOnBoard() {
        return board().queries().counts().get("stored") instanceof Number n ? n.longValue() : 0;
    }
}
