package dev.soracamel.job;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import dev.soracamel.SoraPipeline;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The PostgreSQL the repository tests use: {@code SORA_TEST_PG_URL}, {@code SORA_TEST_PG_USER} and
 * {@code SORA_TEST_PG_PASSWORD} (system properties {@code sora.test.pg.url} etc. win), by default the database
 * {@code scripts/postgres-up.sh} makes. Each test class works in a schema of its own, made empty when it starts.
 * <p>
 * Absent locally, the tests are skipped with a message saying how to start it; on CI ({@code CI=true}) they fail
 * instead, so a CI run can never pass by skipping them.
 */
public final class PgTestDatabase {

    public static final String URL = setting("sora.test.pg.url", "SORA_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/sora_test");
    public static final String USER = setting("sora.test.pg.user", "SORA_TEST_PG_USER", "sora");
    public static final String PASSWORD = setting("sora.test.pg.password", "SORA_TEST_PG_PASSWORD", "sora");

    private PgTestDatabase() {
    }

    private static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v;
    }

    /** Why the database could not be reached, once a class found out; null while it could. */
    private static volatile String unreachable;

    /**
     * The URL of a new schema named from {@code base} and this JVM's process id, so that two test runs on one
     * database (a developer's and another's) never drop each other's tables; {@link #dropSchema} removes it.
     * When the database cannot be reached, fails on CI; elsewhere says why once and lets {@link #assumeReachable}
     * skip each test (a class-level skip would show as no test at all).
     */
    public static String freshSchema(String base) {
        String schema = schemaName(base);
        try (Connection c = connect(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            String message = "PostgreSQL for the job repository tests is not reachable at " + URL + " as " + USER
                    + " (" + e.getMessage() + "). Start it with `sudo scripts/postgres-up.sh` (.ci/run does this), "
                    + "or point SORA_TEST_PG_URL, SORA_TEST_PG_USER and SORA_TEST_PG_PASSWORD at a database";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail("CI=true, so the PostgreSQL tests may not be skipped: " + message, e);
            }
            if (unreachable == null) {
                System.err.println("SKIPPING the PostgreSQL tests: " + message);
            }
            unreachable = message;
            return null;
        }
        return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    public static String schemaName(String base) {
        return base + "_" + ProcessHandle.current().pid();
    }

    public static void dropSchema(String base) {
        if (unreachable != null) {
            return;
        }
        try (Connection c = connect(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schemaName(base) + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop test schema " + schemaName(base) + ": " + e.getMessage());
        }
    }

    public static void assumeReachable() {
        String why = unreachable;
        if (why != null) {
            Assumptions.abort(why);
        }
    }

    public static Connection connect(String url) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", PASSWORD);
        p.setProperty("connectTimeout", "3");
        p.setProperty("loginTimeout", "5");
        return DriverManager.getConnection(url, p);
    }

    public static PgJobRepository open(String url, String pipeline, int poolSize) {
        return PgJobRepository.open(url, USER, PASSWORD, poolSize, pipeline, SoraPipeline.jsonMapper());
    }

    /** Empties the repository's tables, keeping the schema and its migration history. */
    public static void truncate(String url) {
        try (Connection c = connect(url); Statement s = c.createStatement()) {
            s.execute("TRUNCATE sora_job, sora_account, sora_lock");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
