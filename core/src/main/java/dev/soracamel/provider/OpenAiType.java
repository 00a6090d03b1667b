package dev.soracamel.provider;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.validate.OpenAiCatalog;

/** The {@code /v1/videos} API, served by OpenAI and by many gateways: no default address, the user names one. */
public class OpenAiType implements ProviderType {

    @Override
    public String name() {
        return "openai-compatible";
    }

    @Override
    public String defaultCatalog() {
        return "classpath:dev/soracamel/models/openai-compatible.yaml";
    }

    @Override
    public ProviderAdapter create(ProviderSettings settings, InputStream catalog, ObjectMapper json) throws IOException {
        return new OpenAiAdapter(settings, OpenAiCatalog.read(catalog), json);
    }
}
