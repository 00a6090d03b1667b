package dev.soracamel.embed;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import dev.soracamel.SoraPipeline;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A graceful stop (SIGTERM: Camel Main stops its context, as here) with a submit on the wire waits for the
 * provider's answer and records it, so the paid task is polled and stored after the restart instead of ending
 * as an unknown outcome. Measured, with a provider that answers submits slowly.
 */
class GracefulShutdownTest {

    static final long ANSWER_DELAY_MS = 1500;

    Path dir;
    SandboxServer sandbox;
    HttpServer slowProvider;
    final CountDownLatch submitOnTheWire = new CountDownLatch(1);

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(Path.of("target", "test-work"));
        dir = Files.createTempDirectory(Path.of("target", "test-work"), "GracefulShutdownTest-").toAbsolutePath();
        sandbox = SandboxServer.start(new SandboxConfig().timeScale(0.01).activeTaskLimit(2));
        HttpClient forward = HttpClient.newHttpClient();
        // the provider, behind a proxy that holds each submit's answer back
        slowProvider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slowProvider.createContext("/", x -> {
            try (InputStream in = x.getRequestBody()) {
                byte[] body = in.readAllBytes();
                HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + x.getRequestURI()))
                        .method(x.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                x.getRequestHeaders().forEach((k, v) -> {
                    if (k.equalsIgnoreCase("Authorization") || k.equalsIgnoreCase("Content-Type")) {
                        b.header(k, v.get(0));
                    }
                });
                HttpResponse<byte[]> r = forward.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
                if ("POST".equals(x.getRequestMethod())) {
                    submitOnTheWire.countDown();
                    Thread.sleep(ANSWER_DELAY_MS);
                }
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
                x.getResponseBody().write(r.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                x.close();
            }
        });
        slowProvider.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        slowProvider.start();
    }

    @AfterEach
    void stop() {
        slowProvider.stop(0);
        sandbox.close();
    }

    Properties properties() {
        Properties p = new Properties();
        p.put("orders.work", dir.resolve("work").toString());
        p.put("orders.time-scale", "0.01");
        p.put("orders.provider.yesai.base-url", "http://127.0.0.1:" + slowProvider.getAddress().getPort());
        p.put("orders.provider.yesai.token", "sandbox-token");
        p.put("orders.provider.yesai.tariff", "2");
        p.put("orders.validation.check-image", "false");
        p.put("orders.intake.folder.enabled", "false");
        p.put("orders.store.endpoint", "file:" + dir.resolve("videos"));
        p.put("orders.dead-letter.endpoint", "file:" + dir.resolve("dead"));
        p.put("orders.tick-ms", "5");
        p.put("orders.download.retry-delay-ms", "50");
        return p;
    }

    CamelContext context() throws Exception {
        CamelContext ctx = new DefaultCamelContext();
        ctx.getPropertiesComponent().setInitialProperties(properties());
        SoraPipeline.loadTemplates(ctx);
        SoraPipeline.install(ctx, SoraPipeline.Options.named("orders"));
        ctx.start();
        return ctx;
    }

    @Test
    void a_graceful_stop_waits_for_the_submit_on_the_wire_and_records_its_task() throws Exception {
        CamelContext first = context();
        first.createProducerTemplate().requestBody("direct:orders-request", "{\"request_id\": \"slow\", "
                + "\"version\": \"2\", \"prompt\": \"a slow submit\", \"resolution\": 720, \"dimensions\": \"16:9\", "
                + "\"duration\": 10, \"customer_id\": \"c1\"}");
        assertThat(submitOnTheWire.await(10, TimeUnit.SECONDS)).as("the submit reached the provider").isTrue();

        long t0 = System.nanoTime();
        first.stop(); // what SIGTERM does to a Camel Main process
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;

        try (FileJobRepository repo = new FileJobRepository(dir.resolve("work"), SoraPipeline.jsonMapper())) {
            Job job = repo.find("slow").orElseThrow();
            assertThat(job.state).as("the answer was recorded before the process went: not an unknown outcome")
                    .isEqualTo(JobState.POLLING);
            assertThat(job.taskId).isNotNull();
        }
        assertThat(stopMillis).as("the stop waited for the answer").isGreaterThanOrEqualTo(ANSWER_DELAY_MS - 300);
        System.out.println("graceful stop with a submit on the wire took " + stopMillis + " ms (answer held back "
                + ANSWER_DELAY_MS + " ms)");

        CamelContext second = context();
        try {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!Files.exists(dir.resolve("videos/c1/slow.mp4")) && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertThat(dir.resolve("videos/c1/slow.mp4")).as("stored after the restart").exists();
            assertThat(sandbox.stats().tasksCreated()).as("paid once").isEqualTo(1);
            assertThat(sandbox.stats().breaches()).isZero();
        } finally {
            second.stop();
        }
    }
}
