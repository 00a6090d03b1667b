package dev.soracamel.flow;

import dev.soracamel.job.PgTestDatabase;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A schema of its own for a test class whose boards share a PostgreSQL repository: made and migrated once, emptied
 * before each test, dropped after the class. Each test is skipped (failed on CI) when PostgreSQL is unreachable.
 */
final class PgSchema implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final String base;
    private String url;

    PgSchema(String base) {
        this.base = base;
    }

    /** The JDBC URL of the schema, null when PostgreSQL is unreachable. */
    String url() {
        return url;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        url = PgTestDatabase.freshSchema(base);
        if (url != null) {
            PgTestDatabase.open(url, "sora", 2).close(); // creates the tables
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        PgTestDatabase.assumeReachable();
        PgTestDatabase.truncate(url);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        PgTestDatabase.dropSchema(base);
    }
}
