package dev.soracamel.spend;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.soracamel.SoraPipeline;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.provider.OpenAiAdapter;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.validate.OpenAiCatalog;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shipped price table, its lookup order, and the checks that keep a typo from pricing a model at zero. */
class PriceTableTest {

    /** The documented examples beside the standalone run's settings (config/examples/), which no jar of the library carries. */
    private static final java.nio.file.Path EXAMPLES = java.nio.file.Path.of("..", "config", "examples");

    static PriceTable shipped() throws IOException {
        return read(PriceTableTest.class.getResourceAsStream("/dev/soracamel/prices.yaml"));
    }

    static PriceTable read(InputStream... files) throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < files.length; i++) {
            names.add("file" + i);
        }
        return PriceTable.read(List.of(files), names);
    }

    static InputStream yaml(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    static BigDecimal cost(PriceTable t, String provider, String type, String model, String variant, int seconds) {
        PriceTable.Quote q = t.quote(provider, type, new Billable(model, variant, seconds));
        return q == null ? null : q.amount();
    }

    static ProviderSettings provider(String name, String type) {
        return new ProviderSettings(name, type, URI.create("http://127.0.0.1:9"), "t", 3, Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(20), 60, 2, "classpath:dev/soracamel/models/" + type + ".yaml",
                Duration.ofSeconds(10), Duration.ofSeconds(60), "sora." + name);
    }

    @Test
    void the_shipped_table_prices_seed_000_and_seed_001_models_per_second() throws Exception {
        PriceTable t = shipped();

        assertThat(t.currency).isEqualTo("USD");
        // OpenAI's published per-second prices: exact decimals, no binary floating point
        assertThat(cost(t, "openai", "openai-compatible", "sora-2", "1280x720", 4)).isEqualByComparingTo("0.40");
        assertThat(cost(t, "openai", "openai-compatible", "sora-2", "720x1280", 12)).isEqualByComparingTo("1.20");
        assertThat(cost(t, "openai", "openai-compatible", "sora-2-pro", "1280x720", 8)).isEqualByComparingTo("2.40");
        assertThat(cost(t, "openai", "openai-compatible", "sora-2-pro", "1792x1024", 12)).isEqualByComparingTo("6.00");
        assertThat(cost(t, "openai", "openai-compatible", "sora-2-landscape", "1280x720", 4)).isEqualByComparingTo("0.40");
        // Yes Ai versions at the same class of model and resolution
        assertThat(cost(t, "yesai", "yesai", "2", "720", 10)).isEqualByComparingTo("1.00");
        assertThat(cost(t, "yesai", "yesai", "2.pro", "720", 10)).isEqualByComparingTo("3.00");
        assertThat(cost(t, "yesai", "yesai", "2.pro", "1080", 10)).isEqualByComparingTo("5.00");
        assertThat(cost(t, "yesai", "yesai", "2.pro", "1080", 15)).isEqualByComparingTo("7.50");
        // sizes a model does not offer have no price rather than a guessed one
        assertThat(cost(t, "openai", "openai-compatible", "sora-2", "1792x1024", 4)).isNull();
        assertThat(cost(t, "yesai", "yesai", "2", "1080", 10)).isNull();
        assertThat(cost(t, "yesai", "yesai", "3", "720", 10)).isNull();
        // a type's models are its own: a Yes Ai version is not an OpenAI model
        assertThat(cost(t, "openai", "openai-compatible", "2", "720", 10)).isNull();
    }

    @Test
    void a_provider_instance_has_its_own_price_and_other_instances_of_its_type_keep_the_types() throws Exception {
        PriceTable t = shipped();

        // seed 001: Crazyrouter charges per generation, whatever the seconds
        assertThat(cost(t, "crazyrouter", "openai-compatible", "sora-2", "1280x720", 4)).isEqualByComparingTo("0.11");
        assertThat(cost(t, "crazyrouter", "openai-compatible", "sora-2", "1280x720", 12)).isEqualByComparingTo("0.11");
        assertThat(cost(t, "crazyrouter", "openai-compatible", "sora-2-pro", "1792x1024", 4)).isEqualByComparingTo("1.98");
        assertThat(cost(t, "crazyrouter", "openai-compatible", "sora-2-portrait-hd", "720x1280", 8))
                .isEqualByComparingTo("0.08");
        assertThat(t.quote("crazyrouter", "openai-compatible", new Billable("sora-2", "1280x720", 4)).entry())
                .isEqualTo("providers.crazyrouter.sora-2");
        assertThat(cost(t, "gw", "openai-compatible", "sora-2", "1280x720", 4)).isEqualByComparingTo("0.40");
    }

    @Test
    void every_combination_the_shipped_catalogs_accept_has_a_price() throws Exception {
        PriceTable t = shipped();
        var json = SoraPipeline.jsonMapper();
        ProviderAdapter yes;
        ProviderAdapter oai;
        try (var y = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml");
             var o = getClass().getResourceAsStream("/dev/soracamel/models/openai-compatible.yaml")) {
            yes = new YesAiAdapter(provider("yesai", "yesai"), YesAiCatalog.read(y), json);
            oai = new OpenAiAdapter(provider("openai", "openai-compatible"), OpenAiCatalog.read(o), json);
        }

        assertThat(yes.billables()).hasSize(4); // "2" 720/10; "2.pro" 720/10, 1080/10, 1080/15
        assertThat(oai.billables()).hasSize(30); // 10 model-size pairs x seconds 4, 8, 12
        assertThat(yes.billables()).allMatch(b -> t.quote("yesai", "yesai", b) != null);
        assertThat(oai.billables()).allMatch(b -> t.quote("openai", "openai-compatible", b) != null);
        assertThat(oai.billables()).allMatch(b -> t.quote("crazyrouter", "openai-compatible", b) != null);
    }

    @Test
    void an_adapter_bills_a_request_by_its_model_size_and_seconds() throws Exception {
        var json = SoraPipeline.jsonMapper();
        ProviderAdapter yes;
        ProviderAdapter oai;
        try (var y = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml");
             var o = getClass().getResourceAsStream("/dev/soracamel/models/openai-compatible.yaml")) {
            yes = new YesAiAdapter(provider("yesai", "yesai"), YesAiCatalog.read(y), json);
            oai = new OpenAiAdapter(provider("openai", "openai-compatible"), OpenAiCatalog.read(o), json);
        }
        assertThat(yes.billable((com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                "{\"version\":\"2.pro\",\"resolution\":1080,\"duration\":15}"))).isEqualTo(new Billable("2.pro", "1080", 15));
        assertThat(oai.billable((com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                "{\"model\":\"sora-2\",\"size\":\"720x1280\",\"seconds\":8}"))).isEqualTo(new Billable("sora-2", "720x1280", 8));
        // seconds left out: the catalog's default, as it is sent
        assertThat(oai.billable((com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(
                "{\"model\":\"sora-2\",\"size\":\"720x1280\"}"))).isEqualTo(new Billable("sora-2", "720x1280", 4));
    }

    @Test
    void a_model_price_without_sizes_covers_every_size_and_fixed_plus_per_second_add_up() throws Exception {
        PriceTable t = read(yaml("""
                currency: EUR
                models:
                  openai-compatible:
                    veo-3.1: {per-second: 0.40}
                    mixed:
                      per-video: 0.05
                      per-second: 0.10
                      sizes:
                        "1920x1080": {per-video: 1.00, per-second: 0.25}
                """));

        assertThat(cost(t, "gw", "openai-compatible", "veo-3.1", "1920x1080", 8)).isEqualByComparingTo("3.20");
        assertThat(cost(t, "gw", "openai-compatible", "mixed", "1280x720", 4)).isEqualByComparingTo("0.45");
        assertThat(cost(t, "gw", "openai-compatible", "mixed", "1920x1080", 4)).isEqualByComparingTo("2.00");
        // 0.10 x 3 is 0.30 exactly: budgets that allow exactly N jobs must not be undone by rounding
        assertThat(cost(t, "gw", "openai-compatible", "mixed", "1280x720", 3).subtract(new BigDecimal("0.05")))
                .isEqualTo(new BigDecimal("0.30"));
    }

    @Test
    void a_later_file_adds_a_model_and_replaces_an_earlier_files_entry() throws Exception {
        PriceTable t = read(getClass().getResourceAsStream("/dev/soracamel/prices.yaml"), yaml("""
                models:
                  openai-compatible:
                    sora-2-2025-12-08: {per-second: 0.12}
                    sora-2: {per-video: 0.30}
                providers:
                  crazyrouter:
                    sora-2: {per-video: 0.09}
                """));

        assertThat(cost(t, "oai", "openai-compatible", "sora-2-2025-12-08", "1280x720", 4)).isEqualByComparingTo("0.48");
        assertThat(cost(t, "oai", "openai-compatible", "sora-2", "1280x720", 8)).isEqualByComparingTo("0.30");
        assertThat(cost(t, "crazyrouter", "openai-compatible", "sora-2", "1280x720", 8)).isEqualByComparingTo("0.09");
        // untouched entries stay
        assertThat(cost(t, "oai", "openai-compatible", "sora-2-pro", "1792x1024", 4)).isEqualByComparingTo("2.00");
        assertThat(cost(t, "crazyrouter", "openai-compatible", "sora-2-pro", "1792x1024", 4)).isEqualByComparingTo("1.98");
        assertThat(t.currency).isEqualTo("USD");
    }

    @Test
    void the_example_price_file_prices_every_combination_of_the_example_catalog() throws Exception {
        PriceTable t = read(getClass().getResourceAsStream("/dev/soracamel/prices.yaml"),
                java.nio.file.Files.newInputStream(EXAMPLES.resolve("my-prices.yaml")));
        ProviderAdapter mine;
        try (var in = java.nio.file.Files.newInputStream(EXAMPLES.resolve("my-models.yaml"))) {
            mine = new OpenAiAdapter(provider("gw", "openai-compatible"), OpenAiCatalog.read(in),
                    SoraPipeline.jsonMapper());
        }

        assertThat(mine.billables()).allMatch(b -> t.quote("gw", "openai-compatible", b) != null)
                .allMatch(b -> t.quote("crazyrouter", "openai-compatible", b) != null);
        assertThat(cost(t, "gw", "openai-compatible", "veo-3.1", "1920x1080", 8)).isEqualByComparingTo("3.20");
        assertThat(cost(t, "crazyrouter", "openai-compatible", "veo-3.1", "1920x1080", 8)).isEqualByComparingTo("1.20");
    }

    @Test
    void a_table_that_could_misprice_stops_the_start() {
        assertThatThrownBy(() -> read(yaml("""
                currency: USD
                models:
                  yesai:
                    "2": {per-secnd: 0.10}
                """))).hasMessageContaining("per-secnd");
        assertThatThrownBy(() -> read(yaml("""
                currency: USD
                models:
                  yesai:
                    "2": {per-second: -0.10}
                """))).hasMessageContaining("negative");
        assertThatThrownBy(() -> read(yaml("""
                currency: USD
                models:
                  yesai:
                    "2":
                      resolutions:
                        "720": {}
                """))).hasMessageContaining("neither");
        assertThatThrownBy(() -> read(yaml("""
                models:
                  yesai:
                    "2": {per-second: 0.10}
                """))).hasMessageContaining("currency");
        assertThatThrownBy(() -> read(getClass().getResourceAsStream("/dev/soracamel/prices.yaml"), yaml("currency: RUB\n")))
                .hasMessageContaining("one currency");
    }
}
