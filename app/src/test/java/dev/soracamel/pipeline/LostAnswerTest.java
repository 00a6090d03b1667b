package dev.soracamel.pipeline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.job.Job;
import dev.soracamel.sandbox.SandboxStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A create whose task was made and paid but whose answer was lost: on /v1/videos the job finds its task in the
 * provider's list and goes on with it; where the list cannot tell (two alike tasks) or does not exist (Yes Ai)
 * it is dead-lettered with what was found, or what to ask the provider's support, and counted.
 */
class LostAnswerTest extends ObservabilityTestSupport {

    static final String GW_TOKEN = "sandbox-token-gw";
    static final String OAI_TOKEN = "sandbox-token-oai";

    @Override
    protected void configure(Properties p) {
        super.configure(p);
        p.put("sora.providers", "yesai,gw,oai");
        p.put("sora.default-provider", "yesai");
        p.put("sora.provider.gw.type", "openai-compatible");
        p.put("sora.provider.gw.tariff", "2");
        p.put("sora.sandbox.dialect.gw", "gateway");
        p.put("sora.provider.oai.type", "openai-compatible");
        p.put("sora.provider.oai.tariff", "2");
    }

    static String openai(String provider, String prompt) {
        return """
                {"provider": "%s", "model": "sora-2", "prompt": "%s", "size": "1280x720", "seconds": "4", "customer_id": "c"}"""
                .formatted(provider, prompt);
    }

    @Test
    void on_v1_videos_a_lost_answer_is_adopted_from_the_list_and_stored_paid_once() throws Exception {
        String dropped = "A paper boat on a rainy street [sandbox:lose-answer]";
        String badGateway = "A paper plane over a city [sandbox:lose-answer-502]";
        drop("dropped.json", openai("oai", dropped));
        drop("bad-gateway.json", openai("oai", badGateway));
        drop("plain.json", openai("oai", "A plain scene with an answer"));

        awaitSettled(3, Duration.ofSeconds(60));

        assertThat(deadCount()).as("nothing dead-lettered").isZero();
        assertThat(storedCount()).isEqualTo(3);
        assertThat(isMp4(stored("c", "dropped"))).isTrue();
        assertThat(isMp4(stored("c", "bad-gateway"))).isTrue();
        SandboxStats oai = sandbox().stats(OAI_TOKEN);
        assertThat(oai.tasksCreatedByPrompt().get(dropped)).as("paid once").isEqualTo(1);
        assertThat(oai.tasksCreatedByPrompt().get(badGateway)).as("paid once").isEqualTo(1);
        assertThat(oai.tasksCreated()).isEqualTo(3);
        assertThat(oai.posts()).as("no create sent again").isEqualTo(3);
        assertThat(oai.videoLists()).as("each lost answer was looked up").isGreaterThanOrEqualTo(2);
        assertNoBreaches();
        for (String id : new String[] {"dropped", "bad-gateway"}) {
            Job job = board().find(id).orElseThrow();
            assertThat(job.tasksCreated).isEqualTo(1);
            assertThat(job.history).as(id).anySatisfy(e -> assertThat(e.event() + " " + e.detail())
                    .isEqualTo("adopted task " + job.taskId + " after a lost answer"));
            JsonNode meta = metadata("c", id);
            assertThat(meta.path("taskId").asText()).isEqualTo(job.taskId).startsWith("video_");
        }
        Scrape s = scrape();
        assertThat(s.sum("sora_api_calls_total", "endpoint", "lookup", "outcome", "page")).isGreaterThanOrEqualTo(2);
        assertThat(s.sum("sora_jobs_maybe_paid_lost_total")).isZero();
    }

    @Test
    void on_a_gateway_two_lookalike_videos_adopt_neither_and_the_dead_letter_says_what_was_found() throws Exception {
        String prompt = "Two alike foxes in the snow [sandbox:lose-answer]";
        // another client of the same account creates the very same video just before the pipeline does
        HttpResponse<String> twin = null;
        try {
            twin = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(sandbox().baseUrl() + "/v1/videos"))
                    .header("Authorization", "Bearer " + GW_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"model\":\"sora-2\",\"prompt\":\"" + prompt + "\",\"size\":\"1280x720\",\"seconds\":\"4\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException lostToo) {
            // the marker loses this create's answer as well; the task exists all the same
        }
        assertThat(twin).isNull();
        assertThat(sandbox().stats(GW_TOKEN).tasksCreated()).isEqualTo(1);
        Thread.sleep(100);
        drop("twin.json", openai("gw", prompt));

        awaitSettled(1, Duration.ofSeconds(60));

        JsonNode e = error("twin");
        assertThat(e.path("code").asText()).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(e.path("message").asText()).contains("list of recent videos").contains("2 match (")
                .contains("so none was adopted");
        assertThat(storedCount()).isZero();
        SandboxStats gw = sandbox().stats(GW_TOKEN);
        assertThat(gw.tasksCreatedByPrompt().get(prompt)).as("the twin and the pipeline's, nothing more").isEqualTo(2);
        assertThat(gw.posts()).isEqualTo(2);
        assertThat(gw.videoLists()).isGreaterThanOrEqualTo(1);
        assertNoBreaches();
        Job job = board().find("twin").orElseThrow();
        assertThat(job.taskId).isNull();
        assertThat(job.slotHeldUntil).as("its slot stays counted as before").isNotNull();
        assertThat(scrape().sum("sora_jobs_maybe_paid_lost_total", "provider", "gw")).isEqualTo(1);
    }

    @Test
    void on_yes_ai_a_lost_answer_is_dead_lettered_with_what_to_ask_the_provider_support() throws Exception {
        drop("lost.json", v2("A submit lost on the way back [sandbox:lose-answer]", "c5"));

        awaitSettled(1, Duration.ofSeconds(30));

        JsonNode e = error("lost");
        assertThat(e.path("code").asText()).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        Job job = board().find("lost").orElseThrow();
        String left = java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(java.time.ZoneOffset.UTC).format(job.submitSentAt);
        assertThat(e.path("message").asText())
                .contains("A paid task may exist at yesai")
                .contains("the submit left at " + left + " UTC")
                .contains("ask its support")
                .contains("sora.provider.yesai.token")
                .contains("customer_id 'c5'")
                .contains("a prompt starting \"A submit lost on the way back");
        assertThat(sandbox().stats().tasksCreated()).as("created and paid, never sent again").isEqualTo(1);
        assertThat(sandbox().stats().posts()).isEqualTo(1);
        assertThat(Files.exists(stored("c5", "lost"))).isFalse();
        assertNoBreaches();
        assertThat(scrape().sum("sora_jobs_maybe_paid_lost_total", "provider", "yesai")).isEqualTo(1);
    }
}
