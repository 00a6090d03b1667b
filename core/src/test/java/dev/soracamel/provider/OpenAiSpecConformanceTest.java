package dev.soracamel.provider;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.validate.OpenAiCatalog;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every create body the OpenAI-compatible adapter can send for the shipped catalog (each model, size and
 * duration, with and without a reference image) is valid against OpenAI's published OpenAPI schema
 * {@code CreateVideoJsonBody}, checked by an independent JSON Schema 2020-12 validator (networknt).
 */
class OpenAiSpecConformanceTest {

    static final ObjectMapper JSON = new ObjectMapper();

    JsonSchema createVideoSchema() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/openai/openai-videos-openapi.yaml")) {
            ObjectNode spec = (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
            // OpenAPI 3.1 schemas are JSON Schema 2020-12; point the document's root at the request body schema
            spec.put("$schema", "https://json-schema.org/draft/2020-12/schema");
            spec.put("$ref", "#/components/schemas/CreateVideoJsonBody");
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(URI.create("urn:openai-videos"), spec);
        }
    }

    @Test
    void every_create_body_from_the_shipped_catalog_is_valid_against_the_spec() throws Exception {
        JsonSchema schema = createVideoSchema();
        OpenAiCatalog catalog;
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/openai-compatible.yaml")) {
            catalog = OpenAiCatalog.read(in);
        }
        ProviderSettings s = new ProviderSettings("gw", "openai-compatible", URI.create("http://127.0.0.1:9"), "t", 1,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10), 60, 2, "", Duration.ofSeconds(1),
                Duration.ofSeconds(1), "sora.gw");
        OpenAiAdapter adapter = new OpenAiAdapter(s, catalog, JSON);

        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (var model : catalog.models.entrySet()) {
            for (String size : model.getValue().sizes) {
                for (Object seconds : secondsForms(model.getValue().seconds)) {
                    for (boolean image : new boolean[] {false, true}) {
                        ObjectNode request = JSON.createObjectNode()
                                .put("model", model.getKey()).put("prompt", "a cat on a beach").put("size", size)
                                .put("customer_id", "c1").put("request_id", "r1");
                        if (seconds instanceof Integer i) {
                            request.put("seconds", i);
                        } else if (seconds != null) {
                            request.put("seconds", (String) seconds);
                        }
                        if (image) {
                            request.put("image_url", "https://example.org/first-frame.png");
                        }
                        assertThat(adapter.validate(request)).as(request.toString()).isNull();
                        Job job = new Job();
                        job.model = model.getKey();
                        job.request = request;
                        JsonNode body = JSON.readTree(adapter.submit(job).jsonBody());
                        Set<ValidationMessage> errors = schema.validate(body);
                        if (!errors.isEmpty()) {
                            problems.add(body + " -> " + errors);
                        }
                        checked++;
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).isGreaterThanOrEqualTo(6 * 2 * 4 * 2);
    }

    @Test
    void the_validator_does_reject_what_the_spec_forbids() throws Exception {
        JsonSchema schema = createVideoSchema();
        assertThat(schema.validate(JSON.readTree("{\"prompt\":\"p\",\"seconds\":8}"))).as("integer seconds").isNotEmpty();
        assertThat(schema.validate(JSON.readTree("{\"prompt\":\"p\",\"size\":\"1920x1080\"}"))).as("size").isNotEmpty();
        assertThat(schema.validate(JSON.readTree("{\"model\":\"sora-2\"}"))).as("no prompt").isNotEmpty();
        assertThat(schema.validate(JSON.readTree("{\"prompt\":\"p\",\"size\":\"1280x720\",\"seconds\":\"4\"}"))).isEmpty();
    }

    /** Each allowed duration as a request may give it: absent, as the string, and as a number. */
    private static List<Object> secondsForms(List<String> allowed) {
        List<Object> forms = new ArrayList<>();
        forms.add(null);
        for (String s : allowed) {
            forms.add(s);
            forms.add(Integer.valueOf(s));
        }
        return forms;
    }
}
