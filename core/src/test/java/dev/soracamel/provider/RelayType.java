package dev.soracamel.provider;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.job.Job;
import dev.soracamel.spend.Billable;
import dev.soracamel.validate.OpenAiCatalog;
import dev.soracamel.validate.Rejection;

/**
 * A provider type as another jar would bring it, found by its services file in the test resources: the
 * {@code /v1/videos} wire format under a name of its own, with a catalog of its own, counting what it submits so
 * that a test can see its adapter was the one used. It leaves out the lookup of lost answers, as a type may.
 */
public class RelayType implements ProviderType {

    static final String NAME = "test-relay";
    static final AtomicInteger SUBMITS = new AtomicInteger();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String defaultCatalog() {
        return "classpath:dev/soracamel/provider/relay-models.yaml";
    }

    @Override
    public ProviderAdapter create(ProviderSettings settings, InputStream catalog, ObjectMapper json) throws IOException {
        return new Relay(new OpenAiAdapter(settings, OpenAiCatalog.read(catalog), json));
    }

    static final class Relay implements ProviderAdapter {
        private final ProviderAdapter api;

        Relay(ProviderAdapter api) {
            this.api = api;
        }

        @Override
        public HttpCall submit(Job job) {
            SUBMITS.incrementAndGet();
            return api.submit(job);
        }

        @Override
        public Rejection validate(ObjectNode request) {
            return api.validate(request);
        }

        @Override
        public String model(ObjectNode request) {
            return api.model(request);
        }

        @Override
        public String customerId(ObjectNode request) {
            return api.customerId(request);
        }

        @Override
        public Billable billable(ObjectNode request) {
            return api.billable(request);
        }

        @Override
        public List<Billable> billables() {
            return api.billables();
        }

        @Override
        public String imageUrl(ObjectNode request) {
            return api.imageUrl(request);
        }

        @Override
        public Duration firstCheckDelay(Job job) {
            return api.firstCheckDelay(job);
        }

        @Override
        public SubmitResult interpretSubmit(HttpAnswer answer) {
            return api.interpretSubmit(answer);
        }

        @Override
        public HttpCall status(Job job) {
            return api.status(job);
        }

        @Override
        public StatusResult interpretStatus(HttpAnswer answer) {
            return api.interpretStatus(answer);
        }
    }
}
