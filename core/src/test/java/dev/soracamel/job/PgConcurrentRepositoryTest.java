package dev.soracamel.job;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Several nodes on one database, each with its own pool, as separate processes would be: the account's slots and
 * the version compare-and-set must hold whatever the interleaving.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PgConcurrentRepositoryTest {

    static final String ACCOUNT = "shared-account";

    static String url;

    final List<PgJobRepository> opened = new ArrayList<>();
    ExecutorService pool;

    @BeforeAll
    static void database() {
        url = PgTestDatabase.freshSchema("sora_concurrency_test");
    }

    @AfterAll
    static void dropSchema() {
        PgTestDatabase.dropSchema("sora_concurrency_test");
    }

    @BeforeEach
    void empty() {
        PgTestDatabase.assumeReachable();
        node().close(); // migrates the fresh schema
        PgTestDatabase.truncate(url);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void close() throws InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        opened.forEach(PgJobRepository::close);
    }

    /** A node: a repository with its own pool, so nothing is shared but the database. */
    PgJobRepository node() {
        PgJobRepository r = PgTestDatabase.open(url, "orders", 3);
        opened.add(r);
        return r;
    }

    static Job queued(String id) {
        Job j = JobRepositoryContract.job(id, ACCOUNT, JobState.QUEUED);
        return j;
    }

    static void pause(Random random, int maxMillis) {
        try {
            Thread.sleep(random.nextInt(maxMillis + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void four_nodes_never_hold_more_than_the_account_s_slots_and_take_every_job_exactly_once() throws Exception {
        int slots = 3;
        int jobs = 40;
        PgJobRepository setup = node();
        for (int i = 0; i < jobs; i++) {
            assertThat(setup.create(queued(String.format("job-%02d", i)))).isTrue();
        }

        ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
        AtomicInteger maxSeenInTransaction = new AtomicInteger();
        AtomicInteger overLimitInTransaction = new AtomicInteger();
        AtomicInteger maxSeenByObserver = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        List<Future<?>> workers = new ArrayList<>();

        for (int n = 0; n < 4; n++) {
            PgJobRepository node = node();
            Random random = new Random(n);
            workers.add(pool.submit(() -> {
                while (!stop.get() && taken.size() < jobs) {
                    String id = node.inAccount(ACCOUNT, false, tx -> {
                        int used = tx.slotsInUse();
                        maxSeenInTransaction.accumulateAndGet(used, Math::max);
                        if (used > slots) {
                            overLimitInTransaction.incrementAndGet();
                        }
                        if (used >= slots) {
                            return null;
                        }
                        List<Job> head = tx.queued(1);
                        if (head.isEmpty()) {
                            return null;
                        }
                        // widen the window between the count and the write, where an unlocked count would race
                        pause(random, 3);
                        Job j = head.get(0);
                        j.state = JobState.SUBMITTING;
                        j.claimedBy = node.node();
                        j.claimUntil = tx.now().plusSeconds(60);
                        if (!tx.update(j)) {
                            throw new AssertionError("job " + j.requestId + " changed under the account's lock");
                        }
                        return j.requestId;
                    });
                    if (id != null) {
                        taken.add(id);
                    } else {
                        pause(random, 2);
                    }
                }
                return null;
            }));
        }
        // the provider's side: tasks start, then end, on other nodes, outside the account's lock
        for (int n = 0; n < 2; n++) {
            PgJobRepository node = node();
            Random random = new Random(100 + n);
            workers.add(pool.submit(() -> {
                while (!stop.get() && finished.get() < jobs) {
                    List<Job> busy = node.list(EnumSet.of(JobState.SUBMITTING, JobState.POLLING), 10);
                    if (busy.isEmpty()) {
                        pause(random, 2);
                        continue;
                    }
                    Job j = busy.get(random.nextInt(busy.size()));
                    if (j.state == JobState.SUBMITTING) {
                        j.state = JobState.POLLING;
                        j.taskId = "task-" + j.requestId;
                        node.update(j);
                    } else {
                        j.state = JobState.STORED;
                        j.storedAt = node.now();
                        if (node.update(j)) {
                            finished.incrementAndGet();
                        }
                    }
                    pause(random, 4);
                }
                return null;
            }));
        }
        // what the provider would count, seen from outside every node
        CountDownLatch observerStarted = new CountDownLatch(1);
        Future<?> observer = pool.submit(() -> {
            try (Connection c = PgTestDatabase.connect(url);
                 PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM sora_job "
                         + "WHERE account = ? AND state IN ('SUBMITTING', 'POLLING')")) {
                ps.setString(1, ACCOUNT);
                observerStarted.countDown();
                while (!stop.get()) {
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        maxSeenByObserver.accumulateAndGet(rs.getInt(1), Math::max);
                    }
                }
            }
            return null;
        });
        observerStarted.await();

        try {
            for (Future<?> w : workers) {
                w.get(90, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
        }
        observer.get(10, TimeUnit.SECONDS);

        assertThat(overLimitInTransaction).hasValue(0);
        assertThat(maxSeenInTransaction).as("the nodes did fill the slots").hasValue(slots);
        assertThat(maxSeenByObserver.get()).isBetween(1, slots);
        assertThat(taken).hasSize(jobs);
        assertThat(new HashSet<>(taken)).as("no job taken twice").hasSize(jobs);
        for (Job j : setup.list(EnumSet.allOf(JobState.class), 100)) {
            assertThat(j.state).as(j.requestId).isEqualTo(JobState.STORED);
            // create, take, polling, stored: no write beyond those
            assertThat(j.version).as(j.requestId).isEqualTo(4);
        }
    }

    @Test
    void when_two_nodes_write_the_same_version_exactly_one_wins() throws Exception {
        PgJobRepository a = node();
        PgJobRepository b = node();
        for (int round = 0; round < 30; round++) {
            String id = "race-" + round;
            assertThat(a.create(queued(id))).isTrue();
            Job copyA = a.find(id).orElseThrow();
            Job copyB = b.find(id).orElseThrow();
            copyA.claimedBy = "a";
            copyB.claimedBy = "b";
            copyA.state = JobState.SUBMITTING;
            copyB.state = JobState.DEAD;
            CyclicBarrier start = new CyclicBarrier(2);
            Future<Boolean> wonA = pool.submit(() -> {
                start.await();
                return a.update(copyA);
            });
            Future<Boolean> wonB = pool.submit(() -> {
                start.await();
                return b.update(copyB);
            });
            boolean ra = wonA.get(10, TimeUnit.SECONDS);
            boolean rb = wonB.get(10, TimeUnit.SECONDS);
            assertThat(ra ^ rb).as("round %d: a=%s b=%s", round, ra, rb).isTrue();
            Job after = a.find(id).orElseThrow();
            assertThat(after.version).isEqualTo(2);
            assertThat(after.claimedBy).isEqualTo(ra ? "a" : "b");
            assertThat(after.state).isEqualTo(ra ? JobState.SUBMITTING : JobState.DEAD);
        }
    }

    @Test
    void a_write_racing_an_open_account_transaction_waits_for_it_and_then_fails_on_the_version() throws Exception {
        PgJobRepository a = node();
        PgJobRepository b = node();
        a.create(queued("r1"));
        Job stale = b.find("r1").orElseThrow();
        CountDownLatch written = new CountDownLatch(1);
        CountDownLatch bStarted = new CountDownLatch(1);
        Future<?> tx = pool.submit(() -> a.inAccount(ACCOUNT, false, t -> {
            Job j = t.queued(1).get(0);
            j.state = JobState.SUBMITTING;
            assertThat(t.update(j)).isTrue();
            written.countDown();
            try {
                bStarted.await(10, TimeUnit.SECONDS);
                Thread.sleep(300); // b's write is now waiting on the row
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        }));
        assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
        stale.state = JobState.DEAD;
        Future<Boolean> bWrote = pool.submit(() -> {
            bStarted.countDown();
            return b.update(stale);
        });
        tx.get(10, TimeUnit.SECONDS);
        assertThat(bWrote.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(a.find("r1").orElseThrow().state).isEqualTo(JobState.SUBMITTING);
    }

    @Test
    void a_node_that_stalls_holding_an_account_s_lock_is_cut_off_and_its_work_rolled_back() throws Exception {
        PgJobRepository stalled = node();
        PgJobRepository other = node();
        stalled.create(queued("r1"));
        CountDownLatch locked = new CountDownLatch(1);
        long stallMillis = PgJobRepository.IDLE_IN_TRANSACTION_TIMEOUT_MS + 2_000;
        Future<?> stalls = pool.submit(() -> stalled.inAccount(ACCOUNT, false, tx -> {
            Job j = tx.queued(1).get(0);
            j.state = JobState.SUBMITTING;
            tx.update(j);
            locked.countDown();
            try {
                Thread.sleep(stallMillis); // a SIGSTOP or a long GC pause, as the server sees it
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return null;
        }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
        long started = System.nanoTime();
        int queuedSeenByOther = other.inAccount(ACCOUNT, false, tx -> tx.queued(5).size());
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(queuedSeenByOther).as("the stalled node's take was rolled back").isEqualTo(1);
        assertThat(waitedMillis).isLessThan(PgJobRepository.IDLE_IN_TRANSACTION_TIMEOUT_MS + 3_000);
        assertThat(catchThrowable(() -> stalls.get(30, TimeUnit.SECONDS)))
                .as("the stalled node learns that its work did not commit")
                .hasCauseInstanceOf(PgJobRepository.DatabaseException.class);
        assertThat(other.find("r1").orElseThrow().state).isEqualTo(JobState.QUEUED);
        assertThat(stalled.find("r1")).as("the stalled node's pool recovers").isPresent();
    }

    @Test
    void account_locks_are_per_account_and_the_budget_lock_spans_the_pipeline_s_accounts() throws Exception {
        PgJobRepository a = node();
        PgJobRepository b = node();
        assertThat(maxOverlap(a, b, false)).as("two accounts without budgets run side by side").isEqualTo(2);
        assertThat(maxOverlap(a, b, true)).as("with budgets, one at a time").isEqualTo(1);
    }

    /** Two nodes, each on its own account, 10 transactions each: how many ever ran at once. */
    private int maxOverlap(PgJobRepository a, PgJobRepository b, boolean budgets) throws Exception {
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<?>> runs = new ArrayList<>();
        String[] accounts = {"account-x", "account-y"};
        PgJobRepository[] nodes = {a, b};
        for (int n = 0; n < 2; n++) {
            PgJobRepository node = nodes[n];
            String account = accounts[n];
            runs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 10; i++) {
                    node.inAccount(account, budgets, tx -> {
                        max.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            Thread.sleep(20);
                        } catch (InterruptedException e) {
                            throw new IllegalStateException(e);
                        }
                        inside.decrementAndGet();
                        tx.account().nextSubmitAt = Instant.now();
                        return null;
                    });
                }
                return null;
            }));
        }
        for (Future<?> r : runs) {
            r.get(30, TimeUnit.SECONDS);
        }
        return max.get();
    }
}
