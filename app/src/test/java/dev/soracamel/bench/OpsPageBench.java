package dev.soracamel.bench;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.app.SoraConfiguration;
import dev.soracamel.SoraPipeline;
import dev.soracamel.deadletter.DeadLetter;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.job.JobState;
import dev.soracamel.job.PgJobRepository;
import org.apache.camel.main.Main;

/**
 * What one refresh of the operator page costs with many jobs on record: the standalone application, in this
 * JVM, on a job repository seeded with N finished jobs (9 in 10 stored, 1 in 10 dead-lettered), timed over
 * loopback HTTP as the page calls it. Not a test: compiled with the tests, run by hand.
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx512m -cp target/classes:target/test-classes:$(cat target/cp.txt) \
 *     dev.soracamel.bench.OpsPageBench [file|postgresql] [jobs]
 * </pre>
 * With postgresql it uses SORA_TEST_PG_URL (a schema of its own, dropped first), user and password sora.
 */
public final class OpsPageBench {

    private static final ObjectMapper JSON = SoraPipeline.jsonMapper();

    private OpsPageBench() {
    }

    public static void main(String[] args) throws Exception {
        String type = args.length > 0 ? args[0] : "file";
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Path dir = Files.createTempDirectory("ops-bench-");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("sora.inbox", dir.resolve("inbox").toString());
        props.put("sora.archive", dir.resolve("archive").toString());
        props.put("sora.outbox", dir.resolve("outbox").toString());
        props.put("sora.dead-letter.folder", dir.resolve("dead-letter").toString());
        props.put("sora.work", dir.resolve("work").toString());
        props.put("sora.sandbox.enabled", "true");
        props.put("sora.sandbox.examples", "");
        props.put("sora.sandbox.exit-when-idle", "false");
        props.put("camel.server.enabled", "true");
        props.put("camel.server.port", String.valueOf(freePort()));

        long seedStart = System.nanoTime();
        if (type.equals("postgresql")) {
            String base = System.getenv().getOrDefault("SORA_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/sora_test");
            try (Connection c = DriverManager.getConnection(base, "sora", "sora"); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS ops_bench CASCADE");
                s.execute("CREATE SCHEMA ops_bench");
            }
            String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=ops_bench";
            try (PgJobRepository repo = PgJobRepository.open(url, "sora", "sora", 4, "sora", JSON)) {
                seed(repo, jobs);
            }
            try (Connection c = DriverManager.getConnection(url, "sora", "sora"); Statement s = c.createStatement()) {
                s.execute("ANALYZE sora_job");
            }
            props.put("sora.repository.type", "postgresql");
            props.put("sora.repository.url", url);
            props.put("sora.repository.user", "sora");
            props.put("sora.repository.password", "sora");
        } else {
            try (FileJobRepository repo = new FileJobRepository(dir.resolve("work"), JSON)) {
                seed(repo, jobs);
            }
        }
        System.out.printf("seeded %d jobs (%s) in %.1f s%n", jobs, type, (System.nanoTime() - seedStart) / 1e9);

        Main main = new Main();
        main.configure().addConfiguration(SoraConfiguration.class);
        props.forEach(main::addOverrideProperty);
        long startNanos = System.nanoTime();
        Thread runner = new Thread(() -> {
            try {
                main.run();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }, "ops-bench-main");
        runner.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + props.get("camel.server.port") + "/ops/api/";
        waitUp(http, base + "summary");
        System.out.printf("started with %d jobs in %.1f s%n", jobs, (System.nanoTime() - startNanos) / 1e9);

        JsonNode first = JSON.readTree(get(http, base + "jobs?limit=100"));
        long middle = jobs / 2;
        Map<String, String> calls = new LinkedHashMap<>();
        calls.put("summary (HTTP; cached for half the refresh interval)", base + "summary");
        calls.put("jobs, newest 25 (all states)", base + "jobs?limit=25");
        calls.put("jobs, newest 25 DEAD", base + "jobs?state=DEAD&limit=25");
        calls.put("jobs, 100 from the middle (before=" + middle + ")", base + "jobs?limit=100&before=" + middle);
        calls.put("jobs, 25 DEAD from the middle", base + "jobs?state=DEAD&limit=25&before=" + middle);
        int rounds = 300;
        System.out.printf("%n| call (%s, %d jobs) | median ms | p95 ms | max ms | bytes |%n|---|---|---|---|---|%n", type, jobs);
        for (Map.Entry<String, String> c : calls.entrySet()) {
            for (int i = 0; i < 50; i++) {
                get(http, c.getValue());
            }
            long[] t = new long[rounds];
            int bytes = 0;
            for (int i = 0; i < rounds; i++) {
                long s = System.nanoTime();
                bytes = get(http, c.getValue()).length;
                t[i] = System.nanoTime() - s;
            }
            Arrays.sort(t);
            System.out.printf("| %s | %.2f | %.2f | %.2f | %d |%n", c.getKey(), t[rounds / 2] / 1e6,
                    t[rounds * 95 / 100] / 1e6, t[rounds - 1] / 1e6, bytes);
        }
        // the summary's own work, which the endpoint caches for half a refresh interval: timed in-process, uncached
        var queries = main.getCamelContext().getRegistry().lookupByNameAndType("soraBoard", dev.soracamel.flow.JobBoard.class)
                .queries();
        long[] made = new long[rounds];
        for (int i = 0; i < rounds + 50; i++) {
            long s = System.nanoTime();
            queries.snapshot();
            queries.spendToday(20);
            if (i >= 50) {
                made[i - 50] = System.nanoTime() - s;
            }
        }
        Arrays.sort(made);
        System.out.printf("| summary's reads, uncached (in-process: counts, slots, accounts, spend) | %.2f | %.2f | %.2f | |%n",
                made[rounds / 2] / 1e6, made[rounds * 95 / 100] / 1e6, made[rounds - 1] / 1e6);
        // one refresh as the page makes it: the summary, a page of jobs and a page of dead letters, at once
        long[] t = new long[rounds];
        for (int i = 0; i < rounds; i++) {
            long s = System.nanoTime();
            var a = http.sendAsync(req(base + "summary"), HttpResponse.BodyHandlers.ofByteArray());
            var b = http.sendAsync(req(base + "jobs?limit=25"), HttpResponse.BodyHandlers.ofByteArray());
            var d = http.sendAsync(req(base + "jobs?state=DEAD&limit=25"), HttpResponse.BodyHandlers.ofByteArray());
            a.join();
            b.join();
            d.join();
            t[i] = System.nanoTime() - s;
        }
        Arrays.sort(t);
        System.out.printf("| one refresh (the three above at once) | %.2f | %.2f | %.2f | |%n", t[rounds / 2] / 1e6,
                t[rounds * 95 / 100] / 1e6, t[rounds - 1] / 1e6);
        System.out.println("(first page: " + first.path("jobs").size() + " jobs, next_before " + first.path("next_before") + ")");
        main.completed();
        runner.join(60_000);
        System.exit(0);
    }

    static void seed(JobRepository repo, int n) {
        Instant t0 = Instant.now().minus(Duration.ofHours(20));
        for (int i = 1; i <= n; i++) {
            Job j = new Job();
            j.requestId = "bench-" + i;
            j.provider = "yesai";
            j.account = "bench-account";
            j.customerId = "cust-" + (i % 50);
            j.model = "2";
            j.source = "bench";
            j.request = JSON.createObjectNode().put("version", "2").put("prompt", "A quiet harbour at dawn, take " + i)
                    .put("resolution", 720).put("dimensions", "16:9").put("duration", 10)
                    .put("customer_id", j.customerId).put("request_id", j.requestId);
            j.acceptedAt = t0.plusSeconds(i * 7L);
            j.submittedAt = j.acceptedAt.plusSeconds(2);
            j.taskId = String.valueOf(100000 + i);
            j.taskIds.add(j.taskId);
            j.tasksCreated = 1;
            j.estimatedCost = BigDecimal.ONE;
            j.currency = "USD";
            j.lastStatus = "completed";
            j.statusChecks = 2;
            j.record("accepted", "bench");
            if (i % 10 == 0) {
                j.state = JobState.DEAD;
                j.deadAt = j.acceptedAt.plusSeconds(90);
                j.deadCode = "TASK_REJECTED";
                j.deadLetter = new DeadLetter(j.requestId, "TASK_REJECTED", "the provider rejected the task", 200,
                        "Запрос отклонён модерацией", "The request was rejected by moderation", "yesai", j.customerId,
                        j.taskId, Map.of(), "bench", j.deadAt, BigDecimal.ONE, "USD");
                j.deadLetterWritten = true;
            } else {
                j.state = JobState.STORED;
                j.completedSeenAt = j.acceptedAt.plusSeconds(80);
                j.storedAt = j.acceptedAt.plusSeconds(85);
                j.storedLocation = "/nowhere/" + j.customerId + "/" + j.requestId + ".mp4";
                j.videoBytes = 7738L;
            }
            if (!repo.create(j)) {
                throw new IllegalStateException("could not seed " + j.requestId);
            }
        }
    }

    static HttpRequest req(String url) {
        return HttpRequest.newBuilder(URI.create(url)).GET().build();
    }

    static byte[] get(HttpClient http, String url) throws Exception {
        HttpResponse<byte[]> r = http.send(req(url), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " answered " + r.statusCode() + ": " + new String(r.body()));
        }
        return r.body();
    }

    static void waitUp(HttpClient http, String url) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (System.nanoTime() < end) {
            try {
                get(http, url);
                return;
            } catch (Exception e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(url + " did not answer within 3 minutes");
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

}
