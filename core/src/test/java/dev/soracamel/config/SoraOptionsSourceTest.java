package dev.soracamel.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import org.apache.camel.CamelContext;
import org.apache.camel.component.properties.DefaultPropertiesParser;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code {{sora.x}}} placeholder in any CamelContext sees the catalog's default, found through Camel's
 * context plugin, and never hides a value the host set anywhere Camel looks.
 */
class SoraOptionsSourceTest {

    CamelContext ctx;

    @BeforeEach
    void context() {
        ctx = new DefaultCamelContext();
        ctx.build();
    }

    @AfterEach
    void close() throws Exception {
        System.clearProperty("sora.intake.poll-delay-ms");
        ctx.close();
    }

    String resolve(String key) {
        return ctx.getPropertiesComponent().resolveProperty(key).orElse(null);
    }

    @Test
    void a_plain_context_resolves_a_catalog_default_without_any_properties() {
        assertThat(ctx.getPropertiesComponent().getPropertiesSource("sora-options")).isNotNull();
        assertThat(resolve("sora.ops.path")).isEqualTo(SoraOptions.get("sora.ops.path").value()).isEqualTo("/ops");
        assertThat(ctx.resolvePropertyPlaceholders("{{sora.repository.outage-retry-ms}}")).isEqualTo("1000");
        // a folder key, as a host's own endpoint may name it (file:{{sora.outbox}}); a pipeline's install then
        // makes it absolute as an override property
        assertThat(resolve("sora.outbox")).isEqualTo("data/outbox");
        // a named provider's option, through the catalog's <name> pattern
        assertThat(resolve("sora.provider.backup.max-status-checks")).isEqualTo("60");
    }

    @Test
    void only_a_value_default_answers() {
        assertThat(resolve("sora.store.endpoint")).as("derived").isNull();
        assertThat(resolve("sora.intake.endpoint")).as("blank").isNull();
        assertThat(resolve("sora.no-such-option")).as("unknown").isNull();
        assertThat(resolve("orders.ops.path")).as("another pipeline's key: its Props read the catalog").isNull();
        assertThat(resolve("camel.main.name")).isNull();
    }

    @Test
    void a_properties_file_and_initial_and_override_properties_win(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("host.properties");
        Files.writeString(file, "sora.ops.path = /from-file\n");
        PropertiesComponent pc = (PropertiesComponent) ctx.getPropertiesComponent();
        pc.setLocation("file:" + file);
        Properties initial = new Properties();
        initial.setProperty("sora.s3.part-size", "5242880");
        pc.setInitialProperties(initial);
        pc.addOverrideProperty("sora.tick-ms", "7");

        assertThat(resolve("sora.ops.path")).isEqualTo("/from-file");
        assertThat(resolve("sora.s3.part-size")).as("initial properties are asked after the sources")
                .isEqualTo("5242880");
        assertThat(resolve("sora.tick-ms")).isEqualTo("7");
        assertThat(resolve("sora.intake.max-file-bytes")).isEqualTo("1048576");
    }

    @Test
    void a_parsers_own_lookup_wins_as_spring_boots_environment_does() {
        PropertiesComponent pc = (PropertiesComponent) ctx.getPropertiesComponent();
        pc.setPropertiesParser(new DefaultPropertiesParser() {
            @Override
            public String customLookup(String key) {
                return "sora.ops.path".equals(key) ? "/from-spring" : null;
            }
        });
        assertThat(resolve("sora.ops.path")).isEqualTo("/from-spring");
        assertThat(resolve("sora.s3.part-size")).isEqualTo("16777216");
    }

    @Test
    void a_system_property_wins_even_where_camel_reads_them_after_its_sources() {
        PropertiesComponent pc = (PropertiesComponent) ctx.getPropertiesComponent();
        pc.setSystemPropertiesMode(PropertiesComponent.SYSTEM_PROPERTIES_MODE_FALLBACK);
        System.setProperty("sora.intake.poll-delay-ms", "250");
        assertThat(resolve("sora.intake.poll-delay-ms")).isEqualTo("250");
    }
}
