package dev.soracamel.pipeline;

import java.time.Duration;
import java.util.Properties;

import dev.soracamel.sandbox.SandboxStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Yes Ai and two OpenAI-compatible providers side by side: one worded like OpenAI, one like a gateway
 * (Crazyrouter: pending/processing/succeeded, integer duration, the result in video_url). Each is its own
 * account at the sandbox, so each provider's limits are checked on their own.
 */
class MultiProviderTest extends PipelineTestSupport {

    static final String GW_TOKEN = "sandbox-token-gw";
    static final String OAI_TOKEN = "sandbox-token-oai";

    @Override
    protected void configure(Properties p) {
        p.put("sora.providers", "yesai,gw,oai");
        p.put("sora.default-provider", "yesai");
        p.put("sora.provider.gw.type", "openai-compatible");
        p.put("sora.provider.gw.tariff", "2");
        p.put("sora.sandbox.dialect.gw", "gateway");
        p.put("sora.provider.oai.type", "openai-compatible");
        p.put("sora.provider.oai.tariff", "1");
        // a model added by configuration alone: its catalog entry, and its price in a file of the user's own
        p.put("sora.provider.oai.catalog", "classpath:models/test-added-model.yaml");
        p.put("sora.prices", "classpath:dev/soracamel/prices.yaml,classpath:prices/test-added-model.yaml");
    }

    static String openai(String provider, String model, String prompt, String size, String customer) {
        return """
                {"provider": "%s", "model": "%s", "prompt": "%s", "size": "%s", "seconds": "4", "customer_id": "%s"}"""
                .formatted(provider, model, prompt, size, customer);
    }

    @Test
    void a_mixed_folder_ends_stored_or_dead_lettered_with_every_provider_within_its_limits() throws Exception {
        for (int i = 1; i <= 3; i++) {
            drop("y" + i + ".json", v2("Yes Ai scene number " + i, "c"));
            drop("g" + i + ".json", openai("gw", "sora-2", "Gateway scene number " + i, "1280x720", "c"));
        }
        drop("g-pro.json", openai("gw", "sora-2-pro", "A wide gateway shot", "1792x1024", "c"));
        drop("o1.json", openai("oai", "sora-2-2025-12-08", "A model from configuration alone", "720x1280", "c"));
        drop("o2.json", openai("oai", "sora-2-2025-12-08", "Another one from configuration", "1280x720", "c"));
        drop("g-blocked.json", openai("gw", "sora-2", "Something moderation stops [sandbox:moderation]", "1280x720", "c"));
        drop("g-failed.json", openai("gw", "sora-2", "A famous actor on stage [sandbox:reject]", "1280x720", "c"));
        drop("o-unknown.json", openai("oai", "sora-2", "Not in this provider's catalog", "1280x720", "c"));
        drop("g-int.json", openai("gw", "sora-2", "Seconds given as a number", "720x1280", "c").replace("\"4\"", "8"));

        awaitSettled(13, Duration.ofSeconds(60));

        assertThat(storedCount()).isEqualTo(10);
        assertThat(error("g-blocked").path("code").asText()).isEqualTo("moderation_blocked");
        assertThat(error("g-blocked").path("httpStatus").asInt()).isEqualTo(400);
        assertThat(error("g-failed").path("code").asText()).isEqualTo("moderation_blocked");
        assertThat(error("g-failed").path("taskId").asText()).startsWith("video_");
        assertThat(error("o-unknown").path("code").asText()).isEqualTo("MODEL_NOT_VALID");
        assertThat(error("o-unknown").path("message").asText()).contains("sora-2-2025-12-08");
        assertThat(metadata("c", "o1").path("provider").asText()).isEqualTo("oai");
        assertThat(metadata("c", "g-int").path("taskId").asText()).startsWith("video_");

        SandboxStats yesai = sandbox().stats("sandbox-token");
        SandboxStats gw = sandbox().stats(GW_TOKEN);
        SandboxStats oai = sandbox().stats(OAI_TOKEN);
        assertThat(yesai.tasksCreated()).isEqualTo(3);
        assertThat(gw.tasksCreated()).isEqualTo(6);
        assertThat(oai.tasksCreated()).isEqualTo(2);
        assertThat(gw.maxActiveObserved()).isLessThanOrEqualTo(2);
        assertThat(oai.maxActiveObserved()).isEqualTo(1);
        assertNoBreaches();
    }

    @Test
    void each_provider_is_kept_to_its_own_limits_while_all_run_at_once() throws Exception {
        for (int i = 1; i <= 6; i++) {
            drop("y" + i + ".json", v2("Yes Ai load " + i, "c"));
            drop("g" + i + ".json", openai("gw", "sora-2", "Gateway load " + i, "1280x720", "c"));
            drop("o" + i + ".json", openai("oai", "sora-2-2025-12-08", "OpenAI load " + i, "1280x720", "c"));
        }

        awaitSettled(18, Duration.ofSeconds(90));

        assertThat(storedCount()).isEqualTo(18);
        assertThat(sandbox().stats("sandbox-token").maxActiveObserved()).isEqualTo(3);
        assertThat(sandbox().stats(GW_TOKEN).maxActiveObserved()).isEqualTo(2);
        assertThat(sandbox().stats(OAI_TOKEN).maxActiveObserved()).isEqualTo(1);
        for (String token : new String[] {"sandbox-token", GW_TOKEN, OAI_TOKEN}) {
            assertThat(sandbox().stats(token).breaches()).as(token).isZero();
            assertThat(sandbox().stats(token).earlyChecks()).as(token).isZero();
        }
    }
}
