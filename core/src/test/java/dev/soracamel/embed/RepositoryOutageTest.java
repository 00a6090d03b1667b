package dev.soracamel.embed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

import dev.soracamel.SoraPipeline;
import dev.soracamel.job.Account;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The job repository goes away (a database down) while requests arrive: nothing is recorded, so nothing may be
 * dead-lettered or called; the request file waits in the inbox and is handled once the repository is back.
 */
class RepositoryOutageTest extends SandboxHostSupport {

    Outage repo;

    /** A repository that can be switched off, as a database that stopped answering. */
    static final class Outage implements JobRepository {
        final JobRepository real;
        volatile boolean down;
        volatile int refused;

        Outage(JobRepository real) {
            this.real = real;
        }

        private void check() {
            if (down) {
                refused++;
                throw new UnavailableException("the test switched the repository off", null);
            }
        }

        @Override public String node() { return real.node(); }
        @Override public boolean exclusive() { return real.exclusive(); }
        @Override public Instant now() { return real.now(); }
        @Override public boolean create(Job job) { check(); return real.create(job); }
        @Override public Optional<Job> find(String id) { check(); return real.find(id); }
        @Override public boolean update(Job job) { check(); return real.update(job); }
        @Override public void delete(String id) { check(); real.delete(id); }
        @Override public <T> T inAccount(String key, boolean budgets, Function<AccountTx, T> work) {
            check();
            return real.inAccount(key, budgets, work);
        }
        @Override public Optional<Account> account(String key) { check(); return real.account(key); }
        @Override public Map<String, Map<JobState, Integer>> countByProviderAndState() { check(); return real.countByProviderAndState(); }
        @Override public Map<JobState, Integer> countByState(String key) { check(); return real.countByState(key); }
        @Override public int slotsInUse(String key) { check(); return real.slotsInUse(key); }
        @Override public List<Job> list(Set<JobState> states, int limit) { check(); return real.list(states, limit); }
        @Override public List<Job> page(Set<JobState> states, Long before, int limit) { check(); return real.page(states, before, limit); }
        @Override public boolean idle() { check(); return real.idle(); }
        @Override public List<Job> queued(String key, int limit) { check(); return real.queued(key, limit); }
        @Override public List<Job> orphans(int limit) { check(); return real.orphans(limit); }
        @Override public List<Job> finishedBefore(Instant cutoff, int limit) { check(); return real.finishedBefore(cutoff, limit); }
        @Override public List<Job> chargedSince(Instant since) { check(); return real.chargedSince(since); }
        @Override public void close() { real.close(); }
    }

    @BeforeEach
    void hostRepository() {
        repo = new Outage(new FileJobRepository(dir.resolve("work"), SoraPipeline.jsonMapper()));
        ctx.getRegistry().bind("ordersJobRepository", JobRepository.class, repo);
    }

    @AfterEach
    void closeRepository() {
        // the host's repository outlives the pipeline: the context stops first
        ctx.stop();
        repo.close();
    }

    @Test
    void a_request_that_arrives_while_the_repository_is_down_waits_in_the_inbox_and_is_stored_after() throws Exception {
        Properties p = new Properties();
        p.put("orders.inbox", dir.resolve("inbox").toString());
        p.put("orders.archive", dir.resolve("archive").toString());
        p.put("orders.outbox", dir.resolve("outbox").toString());
        p.put("orders.dead-letter.folder", dir.resolve("dead").toString());
        p.put("orders.work", dir.resolve("work").toString());
        p.put("orders.time-scale", "0.01");
        p.put("orders.provider.yesai.base-url", sandbox.baseUrl());
        p.put("orders.provider.yesai.token", "sandbox-token");
        p.put("orders.provider.yesai.tariff", "2");
        p.put("orders.validation.check-image", "false");
        p.put("orders.tick-ms", "5");
        p.put("orders.intake.poll-delay-ms", "50");
        p.put("orders.intake.read-lock-check-interval-ms", "50");
        p.put("orders.intake.read-lock-min-age-ms", "100");
        p.put("orders.repository.recover-interval-ms", "100");
        ctx.getPropertiesComponent().setInitialProperties(p);
        SoraPipeline.loadTemplates(ctx);
        SoraPipeline pipeline = SoraPipeline.install(ctx, SoraPipeline.Options.named("orders"));
        ctx.start();

        repo.down = true;
        Files.createDirectories(dir.resolve("inbox"));
        Files.writeString(dir.resolve("inbox/cat.json"), "{\"request_id\": \"cat\", \"version\": \"2\", "
                + "\"prompt\": \"a cat on the beach\", \"resolution\": 720, \"dimensions\": \"16:9\", "
                + "\"duration\": 10, \"customer_id\": \"c1\"}");
        long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        while (System.nanoTime() < until && repo.refused < 20) {
            Thread.sleep(50);
        }
        Thread.sleep(500); // a few more intake polls and ticks with the repository down
        assertThat(repo.refused).as("the pipeline kept trying").isGreaterThan(10);
        assertThat(dir.resolve("inbox/cat.json")).as("the request waits where it was dropped").exists();
        assertThat(listed(dir.resolve("dead"))).as("nothing dead-lettered for the repository's fault").isEmpty();
        assertThat(sandbox.stats().posts()).as("no claim, no call").isZero();

        repo.down = false;
        await(() -> pipeline.board().find("cat").map(j -> j.state == JobState.STORED).orElse(false),
                Duration.ofSeconds(20));
        assertThat(dir.resolve("outbox/c1/cat.mp4")).exists();
        assertThat(listed(dir.resolve("dead"))).isEmpty();
        assertThat(sandbox.stats().tasksCreated()).isEqualTo(1);
        assertThat(sandbox.stats().breaches()).isZero();
    }

    static List<Path> listed(Path folder) throws Exception {
        if (!Files.exists(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }
}
