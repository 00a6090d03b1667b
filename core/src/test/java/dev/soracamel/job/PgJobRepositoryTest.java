package dev.soracamel.job;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.soracamel.SoraPipeline;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgJobRepositoryTest extends JobRepositoryContract {

    static String url;

    @BeforeAll
    static void database() {
        url = PgTestDatabase.freshSchema("sora_repository_test");
    }

    @AfterAll
    static void dropSchema() {
        PgTestDatabase.dropSchema("sora_repository_test");
    }

    @Override
    protected JobRepository openEmpty() {
        PgTestDatabase.assumeReachable();
        PgJobRepository r = PgTestDatabase.open(url, "orders", 3);
        PgTestDatabase.truncate(url);
        return r;
    }

    @Test
    void the_repository_is_shared_so_no_process_may_take_every_claim_back() {
        assertThat(repo.exclusive()).isFalse();
    }

    @Test
    void pipelines_keep_their_own_jobs_but_share_an_account_and_its_slots() {
        try (PgJobRepository other = PgTestDatabase.open(url, "invoices", 2)) {
            created(job("same-id", ACCOUNT, JobState.SUBMITTING));
            assertThat(other.create(job("same-id", ACCOUNT, JobState.QUEUED))).as("request ids are per pipeline")
                    .isTrue();
            assertThat(other.create(job("theirs", ACCOUNT, JobState.POLLING))).isTrue();

            assertThat(repo.find("theirs")).isEmpty();
            assertThat(stored("same-id").state).isEqualTo(JobState.SUBMITTING);
            assertThat(other.find("same-id").orElseThrow().state).isEqualTo(JobState.QUEUED);
            assertThat(ids(repo.list(java.util.EnumSet.allOf(JobState.class), 10))).containsExactly("same-id");
            assertThat(repo.queued(ACCOUNT, 10)).isEmpty();
            assertThat(ids(other.queued(ACCOUNT, 10))).containsExactly("same-id");

            // the provider counts the account's tasks, whichever pipeline sent them
            assertThat(repo.slotsInUse(ACCOUNT)).isEqualTo(2);
            assertThat(other.slotsInUse(ACCOUNT)).isEqualTo(2);
            other.inAccount(ACCOUNT, false, tx -> {
                assertThat(tx.slotsInUse()).isEqualTo(2);
                assertThat(ids(tx.queued(5))).containsExactly("same-id");
                tx.account().nextSubmitAt = Instant.parse("2030-01-01T00:00:00Z");
                return null;
            });
            assertThat(repo.account(ACCOUNT).orElseThrow().nextSubmitAt).as("one account row for both")
                    .isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
            repo.delete("same-id");
            assertThat(other.find("same-id")).as("a delete touches its own pipeline only").isPresent();
        }
    }

    @Test
    void an_account_is_on_record_from_its_first_transaction() {
        assertThat(repo.account("fresh")).isEmpty();
        repo.inAccount("fresh", false, tx -> null);
        assertThat(repo.account("fresh")).get().extracting(a -> a.key).isEqualTo("fresh");
    }

    @Test
    void the_clock_is_the_database_clock() throws Exception {
        Instant db;
        try (Connection c = PgTestDatabase.connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT clock_timestamp()")) {
            rs.next();
            db = rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
        }
        assertThat(Duration.between(db, repo.now()).abs()).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void the_schema_has_its_own_history_table_and_a_second_open_migrates_nothing() throws Exception {
        try (PgJobRepository again = PgTestDatabase.open(url, "orders", 2)) {
            assertThat(again.find("nothing")).isEmpty();
        }
        List<String> applied = new ArrayList<>();
        try (Connection c = PgTestDatabase.connect(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM " + PgJobRepository.HISTORY_TABLE
                     + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
            while (rs.next()) {
                assertThat(rs.getBoolean(2)).isTrue();
                applied.add(rs.getString(1));
            }
        }
        assertThat(applied).containsExactly("1", "2");
    }

    @Test
    void a_schema_that_already_holds_a_host_s_tables_is_migrated_too() throws Exception {
        String hostUrl = PgTestDatabase.freshSchema("sora_repository_host_test");
        try {
            migratesBesideAHost(hostUrl);
        } finally {
            PgTestDatabase.dropSchema("sora_repository_host_test");
        }
    }

    private static void migratesBesideAHost(String hostUrl) throws Exception {
        try (Connection c = PgTestDatabase.connect(hostUrl); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE host_orders (id int PRIMARY KEY)");
            // a host's own Flyway history, under Flyway's default name: ours must neither read nor write it
            s.execute("CREATE TABLE flyway_schema_history (installed_rank int PRIMARY KEY, version text)");
            s.execute("INSERT INTO flyway_schema_history VALUES (1, '7')");
        }
        try (PgJobRepository r = PgTestDatabase.open(hostUrl, "orders", 2)) {
            assertThat(r.create(job("r1"))).isTrue();
        }
        try (Connection c = PgTestDatabase.connect(hostUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void an_unreachable_database_fails_fast_naming_the_url_but_not_the_password() {
        String deadUrl = "jdbc:postgresql://127.0.0.1:1/sora_test?password=url-secret";
        long started = System.nanoTime();
        assertThatThrownBy(() -> PgJobRepository.open(deadUrl, "sora", "s3cret-password", 2, "orders",
                SoraPipeline.jsonMapper()))
                .isInstanceOf(PgJobRepository.DatabaseException.class)
                .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/sora_test")
                .hasMessageNotContaining("s3cret-password")
                .hasMessageNotContaining("url-secret");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void a_wrong_password_is_refused_with_a_message_that_does_not_repeat_it() {
        assertThatThrownBy(() -> PgJobRepository.open(url, PgTestDatabase.USER, "wrong-password-123", 2,
                "orders", SoraPipeline.jsonMapper()))
                .isInstanceOf(PgJobRepository.DatabaseException.class)
                .hasMessageContaining(PgTestDatabase.URL)
                .hasMessageNotContaining("wrong-password-123");
    }

    @Test
    void every_pooled_connection_is_bounded_and_read_committed() throws Exception {
        PgJobRepository r = (PgJobRepository) repo;
        try (Connection c = r.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThat(show(s, "statement_timeout")).isEqualTo(PgJobRepository.STATEMENT_TIMEOUT_MS / 1000 + "s");
            assertThat(show(s, "lock_timeout")).isEqualTo(PgJobRepository.LOCK_TIMEOUT_MS / 1000 + "s");
            assertThat(show(s, "idle_in_transaction_session_timeout"))
                    .isEqualTo(PgJobRepository.IDLE_IN_TRANSACTION_TIMEOUT_MS / 1000 + "s");
            assertThat(show(s, "transaction_isolation")).isEqualTo("read committed");
        }
    }

    private static String show(Statement s, String setting) throws Exception {
        try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }

    @Test
    void a_repository_over_a_given_data_source_names_its_url_and_leaves_the_pool_open() {
        PgJobRepository r = (PgJobRepository) repo;
        PgJobRepository over = new PgJobRepository(r.dataSource(), "orders", SoraPipeline.jsonMapper());
        assertThat(over.toString()).contains("sora_test");
        over.close();
        assertThat(over.find("nothing")).as("close() leaves a pool it did not make open").isEmpty();
    }

    @Test
    void a_database_that_goes_away_fails_calls_with_a_message_naming_it() {
        PgJobRepository r = PgTestDatabase.open(url, "orders", 2);
        r.close();
        assertThatThrownBy(() -> r.find("r1")).hasMessageContaining("sora_test");
    }
}
