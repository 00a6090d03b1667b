package dev.soracamel.provider;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.validate.YesAiCatalog;

/** Yes Ai's API, at its one address. */
public class YesAiType implements ProviderType {

    @Override
    public String name() {
        return "yesai";
    }

    @Override
    public String defaultCatalog() {
        return "classpath:dev/soracamel/models/yesai.yaml";
    }

    @Override
    public String defaultBaseUrl() {
        return "https://api.yesai.su";
    }

    @Override
    public ProviderAdapter create(ProviderSettings settings, InputStream catalog, ObjectMapper json) throws IOException {
        return new YesAiAdapter(settings, YesAiCatalog.read(catalog), json);
    }
}
