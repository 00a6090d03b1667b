package dev.soracamel.validate;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.apache.camel.util.TimeUtils;

/**
 * Models behind an OpenAI-compatible {@code /v1/videos} API and what each allows, read from YAML so a
 * gateway's new model is a configuration change. Shipped as {@code config/models/openai-compatible.yaml}.
 */
public final class OpenAiCatalog {

    /** One model: the sizes and durations it accepts. */
    public static final class Model {
        public List<String> sizes = List.of();
        public List<String> seconds = List.of("4", "8", "12");
        @JsonProperty("default-seconds")
        public String defaultSeconds = "4";
        @JsonProperty("first-check-delay")
        public String firstCheckDelay = "30s";

        public Duration firstCheck() {
            return Duration.ofMillis(TimeUtils.toMilliSeconds(firstCheckDelay));
        }
    }

    public Map<String, Model> models = new LinkedHashMap<>();

    public static OpenAiCatalog read(InputStream yaml) throws IOException {
        OpenAiCatalog catalog = new ObjectMapper(new YAMLFactory()).readValue(yaml, OpenAiCatalog.class);
        if (catalog.models.isEmpty()) {
            throw new IOException("the model catalog lists no models");
        }
        for (var e : catalog.models.entrySet()) {
            if (e.getValue().sizes.isEmpty()) {
                throw new IOException("model " + e.getKey() + " lists no sizes");
            }
        }
        return catalog;
    }

    public Model model(String name) {
        return models.get(name);
    }
}
