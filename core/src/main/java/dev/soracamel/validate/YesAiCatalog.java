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
 * The Yes Ai models ("versions") and what each allows, read from a YAML file so that a new version or a
 * changed rule is a configuration change. Shipped as {@code config/models/yesai.yaml}.
 */
public final class YesAiCatalog {

    /** One version: its aspect ratios, and for each resolution the durations it allows. */
    public static final class Model {
        @JsonProperty("first-check-delay")
        public String firstCheckDelay = "60s";
        public List<String> dimensions = List.of();
        public Map<Integer, List<Integer>> resolutions = new LinkedHashMap<>();

        public Duration firstCheck() {
            return Duration.ofMillis(TimeUtils.toMilliSeconds(firstCheckDelay));
        }
    }

    public Map<String, Model> models = new LinkedHashMap<>();

    public static YesAiCatalog read(InputStream yaml) throws IOException {
        YesAiCatalog catalog = new ObjectMapper(new YAMLFactory()).readValue(yaml, YesAiCatalog.class);
        if (catalog.models.isEmpty()) {
            throw new IOException("the Yes Ai model catalog lists no models");
        }
        return catalog;
    }

    public Model model(String version) {
        return models.get(version);
    }
}
