package dev.soracamel.job;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared job repository: several nodes (processes, hosts) run one pipeline on one PostgreSQL database.
 * <p>
 * A job is one row of {@code sora_job}, keyed by (pipeline, request id), with its full record as JSON in
 * {@code body} and beside it copies of the fields the queries filter and sort on, written from the job at every
 * write. An account is one row of {@code sora_account}, keyed by the account alone: pipelines that share a
 * provider account share its row, and its slots are counted over all of their jobs.
 * <p>
 * Every write of a job is {@code update ... set version = version + 1 where ... and version = ?} (the way
 * db-scheduler picks executions), so a node that acted on an old copy writes nothing. Decisions that spend an
 * account's limits run in {@link #inAccount}: one READ COMMITTED transaction that holds the account row's lock
 * ({@code SELECT ... FOR UPDATE}) from before it reads anything until it commits. READ COMMITTED is what makes
 * this right, not merely enough: each statement after the lock sees everything committed before the lock was
 * granted, so the slot count is the true one; a REPEATABLE READ snapshot could predate the previous holder's
 * commit.
 * <p>
 * The schema is created and migrated at open by Flyway from {@code dev/soracamel/db/} with its own history table
 * ({@value #HISTORY_TABLE}), so a host's own Flyway never sees our migrations, nor we its.
 * <p>
 * Within {@link #inAccount}, the work must use the {@link AccountTx} and not this repository: a job the
 * transaction locked ({@link AccountTx#queued}, {@link AccountTx#dueCheck}) would make a write through the pool
 * wait for the transaction's own lock until the lock timeout.
 */
public class PgJobRepository implements JobRepository {

    private static final Logger LOG = LoggerFactory.getLogger(PgJobRepository.class);

    static final String HISTORY_TABLE = "sora_schema_history";
    /**
     * Under our package path, like the catalogs: a host whose Flyway scans {@code classpath:db} (recursively)
     * must not pick up our migrations as its own.
     */
    static final String MIGRATIONS = "classpath:dev/soracamel/db";

    /** How long a caller waits for a pooled connection: a dead database fails a step, not the whole node. */
    static final long CONNECTION_TIMEOUT_MS = 5_000;
    /** No statement of ours takes long; one that does is stuck behind something and should fail, not hang. */
    static final long STATEMENT_TIMEOUT_MS = 30_000;
    /**
     * Waiting for an account's lock longer than this means its holder is stuck: give up and retry later. Longer
     * than the idle-in-transaction timeout, so that waiters outlast a holder that stalled rather than fail too.
     */
    static final long LOCK_TIMEOUT_MS = 15_000;
    /**
     * A node that stops mid-transaction (SIGSTOP, a long GC pause, a lost network) holds its account's lock and
     * with it every node's submits on that account; the server ends such a session after this, rolling it back.
     * The work in {@link #inAccount} only decides and writes, it never calls a provider, so this is generous.
     */
    static final long IDLE_IN_TRANSACTION_TIMEOUT_MS = 10_000;
    /** How often {@link #now()} re-reads the database's clock. */
    static final long CLOCK_REFRESH_NANOS = TimeUnit.SECONDS.toNanos(10);

    private static final String JOB_COLUMNS = "seq, version, body";
    private static final String STEP_LEFT = "(state IN ('SUBMITTING', 'DOWNLOADING', 'STORING')"
            + " OR (state = 'DEAD' AND NOT dead_letter_written) OR notify_pending)";

    private final DataSource dataSource;
    /** The pool {@link #open} made, closed with the repository; null when the caller gave the data source. */
    private final HikariDataSource ownPool;
    /** Where the database is, for messages: the JDBC URL without its password. */
    private final String where;
    private final String pipeline;
    private final ObjectMapper json;
    private final String node = NodeName.create();

    /**
     * The database's clock as last read, and System.nanoTime() at that moment: one object, so that a reader never
     * pairs one reading's instant with another's nanos.
     */
    private record Reading(Instant db, long nanos) {
        Instant at(long nanos) {
            return db.plusNanos(nanos - this.nanos);
        }
    }

    private volatile Reading clock;

    /** Thrown when the database failed a call; the message names the database and the operation. */
    public static final class DatabaseException extends JobRepository.UnavailableException {
        DatabaseException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * A repository over a data source the caller owns (and closes): the schema is migrated now. The bounds
     * {@link #open} sets on its own connections are the caller's to set here (statement, lock and
     * idle-in-transaction timeouts), and the connections must start in auto-commit mode.
     *
     * @param pipeline the pipeline's name: its jobs are its own, its accounts are shared with other pipelines
     */
    public PgJobRepository(DataSource dataSource, String pipeline, ObjectMapper json) {
        this(dataSource, null, describe(dataSource), pipeline, json);
    }

    /** The data source's URL for messages; the migration that follows reports a database it cannot reach. */
    private static String describe(DataSource dataSource) {
        try (Connection c = dataSource.getConnection()) {
            return maskPassword(c.getMetaData().getURL());
        } catch (SQLException | RuntimeException e) {
            return "the given data source";
        }
    }

    /** For tests: the connections this repository uses. */
    DataSource dataSource() {
        return dataSource;
    }

    private PgJobRepository(DataSource dataSource, HikariDataSource ownPool, String where, String pipeline,
            ObjectMapper json) {
        if (pipeline == null || pipeline.isBlank()) {
            throw new IllegalArgumentException("a pipeline name is needed: jobs are kept per pipeline");
        }
        this.dataSource = dataSource;
        this.ownPool = ownPool;
        this.where = where;
        this.pipeline = pipeline;
        this.json = json;
        migrate();
        refreshClock();
        LOG.info("job repository {} (PostgreSQL, pipeline {}): node {}", where, pipeline, node);
    }

    /**
     * Opens a pool of {@code poolSize} connections (at least 2: an {@link #inAccount} holds one for its whole
     * transaction) and migrates the schema. Fails at once, naming the URL, when the database cannot be reached.
     */
    public static PgJobRepository open(String jdbcUrl, String user, String password, int poolSize, String pipeline,
            ObjectMapper json) {
        String where = maskPassword(jdbcUrl);
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(jdbcUrl);
        c.setUsername(user);
        c.setPassword(password);
        c.setPoolName("sora-pg-" + pipeline);
        c.setMaximumPoolSize(Math.max(2, poolSize));
        c.setMinimumIdle(1);
        c.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
        c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        c.setValidationTimeout(Math.min(3_000, CONNECTION_TIMEOUT_MS - 1));
        // a connection that opens slowly or a socket that goes silent must not block a caller for minutes
        c.addDataSourceProperty("connectTimeout", "5");
        c.addDataSourceProperty("loginTimeout", "10");
        c.addDataSourceProperty("socketTimeout", String.valueOf(STATEMENT_TIMEOUT_MS / 1000 + 30));
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("ApplicationName", "sora-camel " + pipeline);
        // set at connection start, so they cost no round trip and hold on every connection the pool makes
        c.addDataSourceProperty("options", "-c statement_timeout=" + STATEMENT_TIMEOUT_MS
                + " -c lock_timeout=" + LOCK_TIMEOUT_MS
                + " -c idle_in_transaction_session_timeout=" + IDLE_IN_TRANSACTION_TIMEOUT_MS);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(c);
        } catch (RuntimeException e) {
            throw new DatabaseException("cannot reach the job repository database at " + where + " as user " + user
                    + ": " + rootMessage(e) + ". Is PostgreSQL running there, and are the URL, user and password "
                    + "right?", e);
        }
        try {
            return new PgJobRepository(pool, pool, where, pipeline, json);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private void migrate() {
        try {
            Flyway.configure(PgJobRepository.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    .table(HISTORY_TABLE)
                    // a host may keep its own tables in the same schema; without this Flyway refuses a non-empty
                    // schema that has no history table of ours yet
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .failOnMissingLocations(true)
                    .load()
                    .migrate();
        } catch (RuntimeException e) {
            throw new DatabaseException("job repository " + where + ": the schema could not be created or migrated: "
                    + rootMessage(e), e);
        }
    }

    private static String maskPassword(String jdbcUrl) {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        StringBuilder b = new StringBuilder(String.valueOf(t.getMessage()));
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null && b.indexOf(t.getMessage()) < 0) {
                b.append(": ").append(t.getMessage());
            }
        }
        return b.toString();
    }

    private DatabaseException failure(String what, SQLException e) {
        return new DatabaseException("job repository " + where + " (pipeline " + pipeline + "): " + what + " failed: "
                + rootMessage(e), e);
    }

    @FunctionalInterface
    private interface Sql<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T withConnection(String what, Sql<T> sql) {
        try (Connection c = dataSource.getConnection()) {
            return sql.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    // ---------------------------------------------------------------- clock

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean exclusive() {
        return false;
    }

    /**
     * The database's clock without a round trip per call: the last reading moved on by the monotonic local clock.
     * Nodes compare instants written by one another (claims, the next submit of an account), so they must all use
     * one clock, the database's; reading it costs a round trip, and the board asks for the time often. Over the
     * refresh period the local oscillator drifts by microseconds, and a step of the local wall clock (NTP) does
     * not matter at all, since only {@link System#nanoTime()} is used between readings.
     */
    @Override
    public Instant now() {
        long t = System.nanoTime();
        Reading r = clock;
        if (t - r.nanos() > CLOCK_REFRESH_NANOS) {
            refreshClock();
            r = clock;
        }
        return r.at(System.nanoTime());
    }

    private synchronized void refreshClock() {
        long started = System.nanoTime();
        Reading last = clock;
        if (last != null && started - last.nanos() <= CLOCK_REFRESH_NANOS) {
            return; // another thread just did
        }
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            Instant db = rs.getObject(1, OffsetDateTime.class).toInstant();
            long ended = System.nanoTime();
            // the server read its clock somewhere in the round trip: the middle is the best guess
            clock = new Reading(db, started + (ended - started) / 2);
        } catch (SQLException e) {
            if (last == null) {
                throw failure("reading the database clock", e);
            }
            // go on from the last reading, and try again after another period rather than on every call
            clock = new Reading(last.at(started), started);
            LOG.warn("job repository {}: cannot read the database clock, going on from the last reading: {}", where,
                    rootMessage(e));
        }
    }

    // ---------------------------------------------------------------- jobs

    @Override
    public boolean create(Job job) {
        long version = job.version;
        job.version = 1;
        String body = write(job);
        // the sequence value is taken in the statement so that the body holds the same seq as its column
        String sql = "WITH s AS (SELECT nextval('sora_job_seq') AS seq) "
                + "INSERT INTO sora_job (pipeline, request_id, seq, version, account, provider, state, priority, "
                + "next_check_at, slot_held_until, claim_until, dead_letter_written, notify_pending, ended_at, "
                + "last_charge_at, body) "
                + "SELECT ?, ?, s.seq, 1, ?, ?, ?, ?::smallint, ?::timestamptz, ?::timestamptz, ?::timestamptz, "
                + "?::boolean, ?::boolean, ?::timestamptz, ?::timestamptz, "
                + "jsonb_set(?::jsonb, '{seq}', to_jsonb(s.seq)) "
                + "FROM s ON CONFLICT (pipeline, request_id) DO NOTHING RETURNING seq";
        try {
            Long seq = withConnection("creating job " + job.requestId, c -> {
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    ps.setString(1, pipeline);
                    ps.setString(2, job.requestId);
                    bindColumns(ps, 3, job, body);
                    try (ResultSet rs = ps.executeQuery()) {
                        return rs.next() ? rs.getLong(1) : null;
                    }
                }
            });
            if (seq == null) {
                job.version = version;
                return false;
            }
            job.seq = seq;
            return true;
        } catch (RuntimeException e) {
            job.version = version;
            throw e;
        }
    }

    @Override
    public Optional<Job> find(String requestId) {
        return withConnection("reading job " + requestId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + JOB_COLUMNS + " FROM sora_job WHERE pipeline = ? AND request_id = ?")) {
                ps.setString(1, pipeline);
                ps.setString(2, requestId);
                List<Job> found = jobs(ps);
                return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
            }
        });
    }

    @Override
    public boolean update(Job job) {
        return withConnection("writing job " + job.requestId, c -> cas(c, job));
    }

    /** The compare-and-set write, on the caller's connection (the pool's, or an account transaction's). */
    private boolean cas(Connection c, Job job) throws SQLException {
        long version = job.version;
        job.version = version + 1;
        String body;
        try {
            body = write(job);
        } finally {
            job.version = version;
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE sora_job SET version = version + 1, account = ?, "
                + "provider = ?, state = ?, priority = ?, next_check_at = ?, slot_held_until = ?, claim_until = ?, "
                + "dead_letter_written = ?, notify_pending = ?, ended_at = ?, last_charge_at = ?, "
                // seq is the acceptance order: fixed at create whatever the copy says
                + "body = jsonb_set(?::jsonb, '{seq}', to_jsonb(seq)) "
                + "WHERE pipeline = ? AND request_id = ? AND version = ?")) {
            int i = bindColumns(ps, 1, job, body);
            ps.setString(i++, pipeline);
            ps.setString(i++, job.requestId);
            ps.setLong(i, version);
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        job.version = version + 1;
        return true;
    }

    /** Binds account .. body, the columns kept beside the body, from the job; returns the next index. */
    private static int bindColumns(PreparedStatement ps, int i, Job j, String body) throws SQLException {
        ps.setString(i++, j.account);
        ps.setString(i++, j.provider);
        ps.setString(i++, j.state.name());
        ps.setShort(i++, (short) (j.timeoutResubmits > 0 ? 0 : 1));
        // instants that say "not before" or "until" are rounded up to the column's microseconds, so the database
        // never finds a check due, a claim lapsed or a held slot free earlier than the record says
        setTime(ps, i++, up(j.nextCheckAt));
        setTime(ps, i++, up(j.slotHeldUntil));
        setTime(ps, i++, up(j.claimUntil));
        ps.setBoolean(i++, j.deadLetterWritten);
        ps.setBoolean(i++, j.notifyPending);
        Instant ended = j.state == JobState.STORED ? j.storedAt : j.state == JobState.DEAD ? j.deadAt : null;
        setTime(ps, i++, down(ended));
        setTime(ps, i++, down(JobRepository.lastCharge(j)));
        ps.setString(i++, body);
        return i;
    }

    private static Instant up(Instant t) {
        if (t == null) {
            return null;
        }
        Instant micros = t.truncatedTo(ChronoUnit.MICROS);
        return micros.equals(t) ? t : micros.plus(1, ChronoUnit.MICROS);
    }

    private static Instant down(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MICROS);
    }

    private static void setTime(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(t, ZoneOffset.UTC));
        }
    }

    private String write(Object record) {
        try {
            return json.writeValueAsString(record);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a record as JSON: " + e.getOriginalMessage(), e);
        }
    }

    private List<Job> jobs(PreparedStatement ps) throws SQLException {
        List<Job> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Job j;
                try {
                    j = json.readValue(rs.getString(3), Job.class);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("job record with seq " + rs.getLong(1) + " in " + where
                            + " is unreadable: " + e.getOriginalMessage(), e);
                }
                // the columns are what the compare-and-set and the queue order use
                j.seq = rs.getLong(1);
                j.version = rs.getLong(2);
                out.add(j);
            }
        }
        return out;
    }

    @Override
    public void delete(String requestId) {
        withConnection("deleting job " + requestId, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM sora_job WHERE pipeline = ? AND request_id = ?")) {
                ps.setString(1, pipeline);
                ps.setString(2, requestId);
                return ps.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- accounts

    @Override
    public <T> T inAccount(String accountKey, boolean budgets, Function<AccountTx, T> work) {
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw failure("opening a transaction on account " + accountKey, e);
        }
        Tx tx = null;
        try {
            c.setAutoCommit(false);
            if (ownPool == null) {
                // our pool sets it once per connection; a given data source might default to REPEATABLE READ,
                // whose snapshot could predate the commit of the lock's previous holder and undercount the slots
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
            if (budgets) {
                // always before the account's lock, in every transaction, so two of them never wait on each other
                lockRow(c, "sora_lock", "name", "budgets/" + pipeline, null);
            }
            Account account = lockAccount(c, accountKey);
            JsonNode before = json.valueToTree(account);
            tx = new Tx(c, account, clock(c));
            T result = work.apply(tx);
            tx.open = false;
            if (!json.valueToTree(account).equals(before)) {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE sora_account SET body = ?::jsonb, updated_at = clock_timestamp() "
                                + "WHERE account_key = ?")) {
                    ps.setString(1, write(account));
                    ps.setString(2, accountKey);
                    ps.executeUpdate();
                }
            }
            c.commit();
            return result;
        } catch (SQLException e) {
            rollback(c, e);
            throw failure("the transaction on account " + accountKey, e);
        } catch (Throwable e) {
            // whatever left the work, even an undeclared checked exception: setAutoCommit(true) below would
            // otherwise commit what it had written so far
            rollback(c, e);
            throw e;
        } finally {
            if (tx != null) {
                tx.open = false;
            }
            try {
                c.setAutoCommit(true);
            } catch (SQLException ignored) {
                // the connection is broken: the pool drops it
            }
            try {
                c.close();
            } catch (SQLException ignored) {
                // nothing more to release
            }
        }
    }

    private static void rollback(Connection c, Throwable cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** The account's row, locked; made (with a fresh account) on first use, by whichever node gets there first. */
    private Account lockAccount(Connection c, String key) throws SQLException {
        String body = lockRow(c, "sora_account", "account_key", key, write(new Account(key)));
        Account a;
        try {
            a = json.readValue(body, Account.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("account record " + key + " in " + where + " is unreadable: "
                    + e.getOriginalMessage(), e);
        }
        a.key = key;
        return a;
    }

    /**
     * Locks a row of {@code table} (body: the row's body, or null for a table without one), inserting it first if
     * it is absent. The select comes first because the row is there on every call but the first.
     */
    private static String lockRow(Connection c, String table, String keyColumn, String key, String body)
            throws SQLException {
        String select = "SELECT " + (body == null ? keyColumn : "body") + " FROM " + table + " WHERE " + keyColumn
                + " = ? FOR UPDATE";
        for (int attempt = 0; ; attempt++) {
            try (PreparedStatement ps = c.prepareStatement(select)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return rs.getString(1);
                    }
                }
            }
            if (attempt > 0) {
                throw new SQLException("row " + key + " of " + table + " vanished while being locked");
            }
            // two nodes may insert at once: the second waits for the first's row and then inserts nothing
            try (PreparedStatement ps = c.prepareStatement(body == null
                    ? "INSERT INTO " + table + " (" + keyColumn + ") VALUES (?) ON CONFLICT DO NOTHING"
                    : "INSERT INTO " + table + " (" + keyColumn + ", body) VALUES (?, ?::jsonb) "
                            + "ON CONFLICT DO NOTHING")) {
                ps.setString(1, key);
                if (body != null) {
                    ps.setString(2, body);
                }
                ps.executeUpdate();
            }
        }
    }

    /** Read after the lock is granted: a time read before it would be as old as the wait. */
    private static Instant clock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT clock_timestamp()");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, OffsetDateTime.class).toInstant();
        }
    }

    private final class Tx implements AccountTx {
        private final Connection c;
        private final Account account;
        private final Instant now;
        volatile boolean open = true;

        Tx(Connection c, Account account, Instant now) {
            this.c = c;
            this.account = account;
            this.now = now;
        }

        private <T> T run(String what, Sql<T> sql) {
            if (!open) {
                throw new IllegalStateException("the transaction on account " + account.key + " has ended");
            }
            try {
                return sql.run(c);
            } catch (SQLException e) {
                throw failure(what + " in the transaction on account " + account.key, e);
            }
        }

        @Override
        public Instant now() {
            return now;
        }

        @Override
        public Account account() {
            return account;
        }

        @Override
        public int slotsInUse() {
            return run("counting slots", c -> countSlots(c, account.key, now));
        }

        @Override
        public List<Job> queued(int limit) {
            return run("reading the queue", c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                        + "WHERE account = ? AND state = 'QUEUED' AND pipeline = ? ORDER BY priority, seq "
                        + "LIMIT ? FOR UPDATE SKIP LOCKED")) {
                    ps.setString(1, account.key);
                    ps.setString(2, pipeline);
                    ps.setInt(3, limit);
                    return jobs(ps);
                }
            });
        }

        @Override
        public Optional<Job> dueCheck() {
            return run("finding the next status check", c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                        + "WHERE account = ? AND pipeline = ? AND state = 'POLLING' "
                        + "AND (next_check_at IS NULL OR next_check_at <= ?) "
                        + "ORDER BY next_check_at NULLS FIRST, seq LIMIT 1 FOR UPDATE SKIP LOCKED")) {
                    ps.setString(1, account.key);
                    ps.setString(2, pipeline);
                    setTime(ps, 3, now);
                    List<Job> due = jobs(ps);
                    return due.isEmpty() ? Optional.empty() : Optional.of(due.get(0));
                }
            });
        }

        @Override
        public boolean update(Job job) {
            return run("writing job " + job.requestId, c -> cas(c, job));
        }

        @Override
        public List<Job> chargedSince(Instant since) {
            return run("reading charges", c -> charged(c, since));
        }
    }

    @Override
    public Optional<Account> account(String accountKey) {
        return withConnection("reading account " + accountKey, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT body FROM sora_account WHERE account_key = ?")) {
                ps.setString(1, accountKey);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Account a = json.readValue(rs.getString(1), Account.class);
                    a.key = accountKey;
                    return Optional.of(a);
                } catch (JsonProcessingException e) {
                    throw new IllegalStateException("account record " + accountKey + " in " + where
                            + " is unreadable: " + e.getOriginalMessage(), e);
                }
            }
        });
    }

    /** Across pipelines: the provider counts the account's tasks, whoever sent them. */
    private static int countSlots(Connection c, String accountKey, Instant now) throws SQLException {
        // the jobs submitting or polling, and on top of that the tasks any job may have left running unpolled
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT (SELECT count(*) FROM sora_job WHERE account = ? AND state IN ('SUBMITTING', 'POLLING'))"
                        + " + (SELECT coalesce(sum(greatest(coalesce((body->>'phantomSlots')::int, 0), 1)), 0)"
                        + " FROM sora_job WHERE account = ? AND slot_held_until > ?)")) {
            ps.setString(1, accountKey);
            ps.setString(2, accountKey);
            setTime(ps, 3, now);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private List<Job> charged(Connection c, Instant since) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                + "WHERE pipeline = ? AND last_charge_at >= ? ORDER BY seq")) {
            ps.setString(1, pipeline);
            // the column holds microseconds rounded down: so must the bound, or a charge at the bound is missed
            setTime(ps, 2, down(since));
            return jobs(ps);
        }
    }

    // ---------------------------------------------------------------- queries

    @Override
    public Map<String, Map<JobState, Integer>> countByProviderAndState() {
        return withConnection("counting jobs", c -> {
            Map<String, Map<JobState, Integer>> out = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT provider, state, count(*) FROM sora_job "
                    + "WHERE pipeline = ? GROUP BY provider, state ORDER BY provider NULLS FIRST")) {
                ps.setString(1, pipeline);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.computeIfAbsent(rs.getString(1), p -> new EnumMap<>(JobState.class))
                                .put(JobState.valueOf(rs.getString(2)), rs.getInt(3));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Map<JobState, Integer> countByState(String accountKey) {
        return withConnection("counting jobs of account " + accountKey, c -> {
            Map<JobState, Integer> out = new EnumMap<>(JobState.class);
            try (PreparedStatement ps = c.prepareStatement("SELECT state, count(*) FROM sora_job "
                    + "WHERE pipeline = ? AND account = ? GROUP BY state")) {
                ps.setString(1, pipeline);
                ps.setString(2, accountKey);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(JobState.valueOf(rs.getString(1)), rs.getInt(2));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public int slotsInUse(String accountKey) {
        Instant now = now();
        return withConnection("counting slots of account " + accountKey, c -> countSlots(c, accountKey, now));
    }

    @Override
    public List<Job> list(Set<JobState> states, int limit) {
        if (states.isEmpty() || limit <= 0) {
            return List.of();
        }
        return withConnection("listing jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                    + "WHERE pipeline = ? AND state = ANY (?) ORDER BY seq DESC LIMIT ?")) {
                ps.setString(1, pipeline);
                Array names = c.createArrayOf("text", states.stream().map(Enum::name).toArray());
                ps.setArray(2, names);
                ps.setInt(3, limit);
                return jobs(ps);
            }
        });
    }

    @Override
    public List<Job> page(Set<JobState> states, Long beforeSeq, int limit) {
        if (states.isEmpty() || limit <= 0) {
            return List.of();
        }
        return withConnection("reading a page of jobs", c -> {
            // sora_job_state_seq_idx (V2) serves one state, sora_job_pipeline_seq_idx all of them, both newest
            // first from the cursor: a page reads about its own rows however many jobs are on record
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                    + "WHERE pipeline = ? AND state = ANY (?) AND seq < ? ORDER BY seq DESC LIMIT ?")) {
                ps.setString(1, pipeline);
                ps.setArray(2, c.createArrayOf("text", states.stream().map(Enum::name).toArray()));
                ps.setLong(3, beforeSeq == null ? Long.MAX_VALUE : beforeSeq);
                ps.setInt(4, limit);
                return jobs(ps);
            }
        });
    }

    @Override
    public boolean idle() {
        return withConnection("checking for work", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT NOT EXISTS (SELECT 1 FROM sora_job "
                    + "WHERE pipeline = ? AND (state NOT IN ('STORED', 'DEAD') "
                    + "OR (state = 'DEAD' AND NOT dead_letter_written)))")) {
                ps.setString(1, pipeline);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        });
    }

    @Override
    public List<Job> queued(String accountKey, int limit) {
        return withConnection("reading the queue of account " + accountKey, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                    + "WHERE account = ? AND state = 'QUEUED' AND pipeline = ? ORDER BY priority, seq LIMIT ?")) {
                ps.setString(1, accountKey);
                ps.setString(2, pipeline);
                ps.setInt(3, limit);
                return jobs(ps);
            }
        });
    }

    @Override
    public List<Job> orphans(int limit) {
        return withConnection("finding orphaned steps", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                    + "WHERE pipeline = ? AND " + STEP_LEFT
                    + " AND (claim_until IS NULL OR claim_until <= statement_timestamp()) ORDER BY seq LIMIT ?")) {
                ps.setString(1, pipeline);
                ps.setInt(2, limit);
                return jobs(ps);
            }
        });
    }

    @Override
    public List<Job> finishedBefore(Instant cutoff, int limit) {
        return withConnection("finding finished jobs", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + JOB_COLUMNS + " FROM sora_job "
                    + "WHERE pipeline = ? AND state IN ('STORED', 'DEAD') AND ended_at < ? "
                    + "ORDER BY ended_at, seq LIMIT ?")) {
                ps.setString(1, pipeline);
                // rounded down like the column: a job that ended in the cutoff's own microsecond waits for the next run
                setTime(ps, 2, down(cutoff));
                ps.setInt(3, limit);
                return jobs(ps);
            }
        });
    }

    @Override
    public List<Job> chargedSince(Instant since) {
        return withConnection("reading charges", c -> charged(c, since));
    }

    @Override
    public void close() {
        if (ownPool != null && !ownPool.isClosed()) {
            ownPool.close();
        }
    }

    @Override
    public String toString() {
        return "PgJobRepository[" + where + ", pipeline " + pipeline + "]";
    }
}
