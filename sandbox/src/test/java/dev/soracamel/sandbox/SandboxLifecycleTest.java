package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.soracamel.sandbox.SandboxTestClient.Reply;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A task's life from submit to download, and the prompt markers that bend it. */
class SandboxLifecycleTest {

    /** One provider second lasts 20 ms: a "2" task (63-77 s with jitter) finishes in about 1.5 s. */
    private static final double SCALE = 0.02;

    private SandboxServer server;
    private SandboxTestClient client;

    private void start(SandboxConfig config) throws Exception {
        server = SandboxServer.start(config.timeScale(SCALE));
        client = new SandboxTestClient(server, SCALE, config.getToken());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void happyPathGoesFromQueueToDownloadAndCountsEarlyChecks() throws Exception {
        start(new SandboxConfig());
        Reply created = client.submit("A red fox runs through snow");
        long submitted = System.nanoTime(); // after the answer, so surely after the task's creation
        assertThat(created.httpStatus()).isEqualTo(200);
        assertThat(created.body().path("success").asBoolean()).isTrue();
        assertThat(created.message()).isEqualTo("OK");
        assertThat(created.id()).isEqualTo(100_001);
        assertThat(created.taskStatus()).isZero();
        assertThat(created.data().path("status_description").asText()).isEqualTo("in queue");
        assertThat(created.data().path("created_at").asText()).isNotBlank();

        List<Integer> seen = new ArrayList<>();
        Reply early = client.status(created.id());
        seen.add(early.taskStatus());
        assertThat(early.data().path("result_url").isNull()).isTrue();
        client.sleepUntilProviderSeconds(submitted, 8); // past the 5 s queue, still long before 60 s
        seen.add(client.status(created.id()).taskStatus());
        assertThat(server.stats().earlyChecks()).isEqualTo(2);

        client.sleepUntilProviderSeconds(submitted, 61);
        Reply last = client.status(created.id());
        seen.add(last.taskStatus());
        for (int i = 0; i < 5 && last.taskStatus() != 2; i++) {
            client.sleepUntilProviderSeconds(System.nanoTime(), 20); // the seed's interval between checks
            last = client.status(created.id());
            seen.add(last.taskStatus());
        }
        assertThat(seen).startsWith(0, 1).endsWith(2).isSorted();
        assertThat(last.data().path("status_description").asText()).isEqualTo("completed");
        assertThat(last.data().path("prompt").asText()).isEqualTo("A red fox runs through snow");
        assertThat(last.data().path("customer_id").asText()).isEqualTo("customer-1");
        String url = last.data().path("result_url").asText();
        assertThat(url).startsWith(server.baseUrl() + "/sandbox/files/100001.mp4?token=");

        HttpResponse<byte[]> video = client.download(url);
        byte[] sample;
        try (InputStream in = getClass().getResourceAsStream("/sandbox/sample.mp4")) {
            sample = in.readAllBytes();
        }
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(video.headers().firstValueAsLong("Content-Length")).hasValue(sample.length);
        assertThat(video.body()).isEqualTo(sample);
        assertThat(new String(video.body(), 4, 4, "US-ASCII")).isEqualTo("ftyp");

        SandboxStats stats = server.stats();
        assertThat(stats.earlyChecks()).isEqualTo(2);
        assertThat(stats.breaches()).isEqualTo(2);
        assertThat(stats.shortRecheckIntervals()).isEqualTo(1); // the two early checks, 8 s apart
        assertThat(stats.posts()).isEqualTo(1);
        assertThat(stats.tasksCreated()).isEqualTo(1);
        assertThat(stats.statusChecks()).isEqualTo(seen.size());
        assertThat(stats.downloads()).isEqualTo(1);
        assertThat(stats.maxActiveObserved()).isEqualTo(1);
        TaskRecord task = stats.tasks().get(0);
        assertThat(task.finalStatus()).isEqualTo(2);
        assertThat(task.checks()).isEqualTo(seen.size());
        assertThat(task.earlyChecks()).isEqualTo(2);
        // Generation is never faster than the first-check minimum, whatever the jitter.
        assertThat(task.finalAtMillis() - task.createdAtMillis()).isGreaterThanOrEqualTo((long) (60 * 1000 * SCALE));
        assertThat(task.firstCheckAtMillis()).isBetween(task.createdAtMillis(), task.finalAtMillis());
        assertThat(task.downloadedAtMillis()).isGreaterThanOrEqualTo(task.finalAtMillis());
    }

    @Test
    void promptMarkersDecideHowTasksEnd() throws Exception {
        start(new SandboxConfig().activeTaskLimit(10));
        long rejected = client.submit("A portrait of a famous actor [sandbox:reject]").id();
        long timeout = client.submit("A slow sunset [sandbox:timeout]").id();
        long once1 = client.submit("A busy harbour [sandbox:timeout-once]").id();
        long once2 = client.submit("A busy harbour [sandbox:timeout-once]").id();
        long stuck = client.submit("A render that never ends [sandbox:stuck]").id();
        assertThat(server.stats().maxActiveObserved()).isEqualTo(5);

        client.sleepUntilProviderSeconds(System.nanoTime(), 80); // past the longest jittered generation

        Reply r = client.status(rejected);
        assertThat(r.taskStatus()).isEqualTo(3);
        assertThat(r.data().path("status_description").asText()).isEqualTo("rejected with error");
        assertThat(r.data().path("comment_ru").asText()).contains("модерац");
        assertThat(r.data().path("comment_en").asText()).contains("moderation");
        assertThat(r.data().path("result_url").isNull()).isTrue();
        Reply t = client.status(timeout);
        assertThat(t.taskStatus()).isEqualTo(4);
        assertThat(t.data().path("status_description").asText()).isEqualTo("rejected due to timeout");
        assertThat(client.status(once1).taskStatus()).isEqualTo(4);
        assertThat(client.status(once2).taskStatus()).isEqualTo(2);
        assertThat(client.status(stuck).taskStatus()).isEqualTo(1);

        List<TaskRecord> tasks = server.stats().tasks();
        assertThat(tasks).extracting(TaskRecord::finalStatus).containsExactly(3, 4, 4, 2, -1);
        assertThat(tasks.get(4).finalAtMillis()).isEqualTo(-1);
        assertThat(server.stats().tasksCreatedByPrompt()).containsEntry("A busy harbour [sandbox:timeout-once]", 2);
        assertThat(server.stats().breaches()).isZero();
    }

    @Test
    void a61stCheckOfOneTaskIsCountedButStillAnswered() throws Exception {
        start(new SandboxConfig());
        long id = client.submit("A render that never ends [sandbox:stuck]").id();
        long submitted = System.nanoTime();
        client.sleepUntilProviderSeconds(submitted, 61);
        for (int i = 1; i <= 61; i++) {
            Reply r = client.status(id);
            assertThat(r.httpStatus()).isEqualTo(200);
            assertThat(r.taskStatus()).isEqualTo(1);
            assertThat(server.stats().checksOverLimit()).isEqualTo(i <= 60 ? 0 : 1);
        }
        assertThat(server.stats().earlyChecks()).isZero();
        assertThat(server.stats().statusRateBreaches()).isZero();
        assertThat(server.stats().breaches()).isEqualTo(1);
    }

    @Test
    void proTasksAreEarlyUntilFiveMinutes() throws Exception {
        start(new SandboxConfig());
        Reply created = client.post(proBody());
        long submitted = System.nanoTime();
        assertThat(created.httpStatus()).isEqualTo(200);
        client.sleepUntilProviderSeconds(submitted, 100); // fine for "2", early for "2.pro"
        assertThat(client.status(created.id()).taskStatus()).isEqualTo(1);
        assertThat(server.stats().earlyChecks()).isEqualTo(1);
    }

    private static Map<String, Object> proBody() {
        Map<String, Object> body = SandboxTestClient.validBody("A neon city at night");
        body.put("version", "2.pro");
        body.put("resolution", 1080);
        body.put("duration", 15);
        return body;
    }
}
