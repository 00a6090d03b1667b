package dev.soracamel.pipeline;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;

/**
 * Runs the pipeline with Camel Main's HTTP server on a free loopback port, and reads its health and
 * Prometheus endpoints over HTTP as a probe or a scraper would.
 */
abstract class ObservabilityTestSupport extends PipelineTestSupport {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected void configure(Properties p) {
        // health, metrics (and REST) follow this switch, host and port
        p.put("camel.server.enabled", "true");
        // any free port: several builds share this machine
        p.put("camel.server.port", "0");
    }

    /** The port the server got (the configured one is 0). */
    int port() {
        VertxPlatformHttpServer server = context.hasService(VertxPlatformHttpServer.class);
        if (server == null) {
            throw new AssertionError("no embedded HTTP server in the context");
        }
        return server.getPort();
    }

    record Answer(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    Answer get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }

    /** One Prometheus sample: metric name, labels, value. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** The {@code sora_*} samples of one scrape (the text format, one sample a line). */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (!line.startsWith("sora_")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : space);
            Map<String, String> labels = new LinkedHashMap<>();
            if (brace >= 0) {
                Matcher m = LABEL.matcher(line.substring(brace, line.lastIndexOf('}') + 1));
                while (m.find()) {
                    labels.put(m.group(1), m.group(2));
                }
            }
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return samples;
    }

    /** A scrape of /observe/metrics. */
    final class Scrape {
        final List<Sample> samples;

        Scrape(List<Sample> samples) {
            this.samples = samples;
        }

        /** The sum of the samples of {@code name} whose labels include {@code labels} (k1, v1, k2, v2...). */
        double sum(String name, String... labels) {
            double total = 0;
            for (Sample s : samples) {
                if (s.name().equals(name) && matches(s.labels(), labels)) {
                    total += s.value();
                }
            }
            return total;
        }

        boolean has(String name) {
            return samples.stream().anyMatch(s -> s.name().equals(name));
        }

        private static boolean matches(Map<String, String> have, String[] want) {
            for (int i = 0; i < want.length; i += 2) {
                if (!want[i + 1].equals(have.get(want[i]))) {
                    return false;
                }
            }
            return true;
        }
    }

    Scrape scrape() throws IOException, InterruptedException {
        Answer a = get("/observe/metrics");
        if (a.status() != 200) {
            throw new AssertionError("/observe/metrics answered " + a.status() + ": " + a.body());
        }
        return new Scrape(parse(a.body()));
    }

    /** A readiness check by id from /observe/health/ready with every check and its data. */
    JsonNode readinessCheck(String id) throws IOException, InterruptedException {
        for (JsonNode c : get("/observe/health/ready?exposureLevel=full&data=true").json().path("checks")) {
            if (id.equals(c.path("name").asText())) {
                return c;
            }
        }
        return null;
    }
}
