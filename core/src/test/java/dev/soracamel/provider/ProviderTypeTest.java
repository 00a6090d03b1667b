package dev.soracamel.provider;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.embed.SandboxHostSupport;
import dev.soracamel.sandbox.Dialect;
import dev.soracamel.sandbox.SandboxServer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Provider types come from services files on the classpath: the built-in two from this jar's, and
 * {@link RelayType} from the test resources', as a type from another jar would, with no change to the pipeline.
 */
class ProviderTypeTest extends SandboxHostSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected void accounts(SandboxServer sandbox) {
        sandbox.addAccount("relay-token", 1, Dialect.GATEWAY);
    }

    /** Pipeline {@code relay}, whose one provider is of the test-only type and names no catalog of its own. */
    Properties relay(String type) {
        Properties p = new Properties();
        p.put("relay.work", dir.resolve("work").toString());
        p.put("relay.time-scale", String.valueOf(SCALE));
        p.put("relay.providers", "hop");
        p.put("relay.provider.hop.type", type);
        p.put("relay.provider.hop.base-url", sandbox.baseUrl());
        p.put("relay.provider.hop.token", "relay-token");
        p.put("relay.provider.hop.tariff", "1");
        p.put("relay.prices", "classpath:dev/soracamel/prices.yaml,classpath:dev/soracamel/provider/relay-prices.yaml");
        p.put("relay.validation.check-image", "false");
        p.put("relay.intake.folder.enabled", "false");
        p.put("relay.intake.endpoint", "direct:relay-orders");
        p.put("relay.store.endpoint", "file:" + dir.resolve("videos"));
        p.put("relay.dead-letter.endpoint", "file:" + dir.resolve("rejects"));
        p.put("relay.tick-ms", "5");
        p.put("relay.download.retry-delay-ms", "50");
        return p;
    }

    @Test
    void a_type_from_another_jar_is_found_and_runs_a_pipeline_with_its_own_catalog() throws Exception {
        ctx.getPropertiesComponent().setInitialProperties(relay(RelayType.NAME));
        SoraPipeline.loadTemplates(ctx);
        SoraPipeline relay = SoraPipeline.install(ctx, SoraPipeline.Options.named("relay"));
        ctx.start();
        int before = RelayType.SUBMITS.get();

        // the type's own catalog, not the shipped openai-compatible one, which has sora-2-pro and 720x1280
        Map<?, ?> refused = ctx.createProducerTemplate().requestBody(relay.requestEndpoint(), """
                {"model": "sora-2-pro", "prompt": "Not in this type's catalog", "size": "1280x720", "seconds": "4"}""",
                Map.class);
        assertThat(refused.get("outcome")).isEqualTo("rejected");
        assertThat(refused.get("code")).isEqualTo("MODEL_NOT_VALID");

        ctx.createProducerTemplate().sendBody("direct:relay-orders", """
                {"request_id": "r1", "model": "sora-2", "prompt": "A kite over a beach", "size": "1280x720",
                 "seconds": "4", "customer_id": "desk"}""");
        Path meta = dir.resolve("videos/desk/r1.json");
        Instant until = Instant.now().plus(Duration.ofSeconds(60));
        while (!Files.exists(meta) && Instant.now().isBefore(until)) {
            Thread.sleep(50);
        }
        JsonNode stored = JSON.readTree(meta.toFile());
        assertThat(stored.path("state").asText()).isEqualTo("STORED");
        assertThat(stored.path("provider").asText()).isEqualTo("hop");
        assertThat(Files.size(dir.resolve("videos/desk/r1.mp4"))).isPositive();
        assertThat(RelayType.SUBMITS.get() - before).as("submitted through the type's own adapter").isEqualTo(1);
        assertThat(sandbox.stats("relay-token").tasksCreated()).isEqualTo(1);
        // priced under the type's name in the price table
        assertThat(relay.board().find("r1").orElseThrow().taskPrice).isEqualByComparingTo("0.40");
    }

    @Test
    void an_unknown_type_stops_the_start_naming_the_type_the_provider_and_the_file_a_jar_must_carry() {
        ctx.getPropertiesComponent().setInitialProperties(relay("no-such-type"));

        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("relay")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("provider hop has type 'no-such-type'")
                .hasMessageContaining("META-INF/services/dev/soracamel/provider/no-such-type");
    }

    @Test
    void a_services_file_that_names_no_provider_type_is_refused_with_its_path() {
        ctx.getPropertiesComponent().setInitialProperties(relay("test-not-a-type"));

        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("relay")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("provider hop has type 'test-not-a-type'")
                .hasMessageContaining("META-INF/services/dev/soracamel/provider/test-not-a-type")
                .hasMessageContaining(ProviderType.class.getName());
    }

    @Test
    void a_type_name_that_is_no_file_name_is_refused_before_any_lookup() {
        ctx.getPropertiesComponent().setInitialProperties(relay("../yesai"));

        assertThatThrownBy(() -> SoraPipeline.install(ctx, SoraPipeline.Options.named("relay")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("provider hop has type '../yesai'");
    }

    @Test
    void the_built_in_types_give_their_defaults_and_a_type_without_an_address_requires_one() {
        Map<String, String> p = Map.of(
                "sora.providers", "yesai,gw,hop",
                "sora.provider.gw.type", "openai-compatible",
                "sora.provider.gw.base-url", "https://gateway.example",
                "sora.provider.hop.type", RelayType.NAME,
                "sora.provider.hop.base-url", "https://relay.example");
        SoraSettings s = SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))), ProviderTypes.of(ctx));

        assertThat(s.provider("yesai").type()).isEqualTo("yesai");
        assertThat(s.provider("yesai").baseUrl().toString()).isEqualTo("https://api.yesai.su");
        assertThat(s.provider("yesai").catalog()).isEqualTo("classpath:dev/soracamel/models/yesai.yaml");
        assertThat(s.provider("gw").catalog()).isEqualTo("classpath:dev/soracamel/models/openai-compatible.yaml");
        assertThat(s.provider("hop").catalog()).isEqualTo("classpath:dev/soracamel/provider/relay-models.yaml");

        Map<String, String> noAddress = Map.of("sora.providers", "gw", "sora.provider.gw.type", "openai-compatible");
        assertThatThrownBy(() -> SoraSettings.read(new Props(k -> Optional.ofNullable(noAddress.get(k))),
                ProviderTypes.of(ctx))).hasMessageContaining("sora.provider.gw.base-url");
    }
}
