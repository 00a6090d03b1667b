package dev.soracamel.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded job repository for one node: one JSON file per job ({@code jobs/<request id>.json}) and one per
 * account ({@code accounts/<key>.json}) under a folder. A write goes to a temporary file renamed over the old
 * record, so a crash leaves the old or the new record, never half of one.
 * <p>
 * The process holds an OS lock on {@code repository.lock} for as long as it runs: a second process pointed at the
 * same folder refuses to start, because two processes with their own view of one account would each believe they
 * hold all its slots. Several nodes share the PostgreSQL repository instead. Holding the lock also proves that
 * whoever made the claims found at start is gone, so they are taken back at once.
 * <p>
 * Records are read once at start and kept in memory as private copies; callers always get copies of their own, so
 * a version check here means what it means in a database.
 */
public class FileJobRepository implements JobRepository {

    private static final Logger LOG = LoggerFactory.getLogger(FileJobRepository.class);

    private static final Comparator<Job> QUEUE_ORDER = Comparator
            .comparingInt((Job j) -> j.timeoutResubmits > 0 ? 0 : 1)
            .thenComparingLong(j -> j.seq);
    private static final Comparator<Job> POLL_ORDER = Comparator
            .comparing((Job j) -> j.nextCheckAt, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(j -> j.seq);

    private final Path root;
    private final Path jobsDir;
    private final Path accountsDir;
    private final ObjectMapper json;
    private final String node;
    private final FileChannel lockChannel;
    private final FileLock lock;

    /** The private copy of every record, by request id. */
    private final Map<String, Job> jobs = new HashMap<>();
    private final Map<String, Account> accounts = new HashMap<>();
    /** Per account: its queue, its polling jobs, and the jobs that count against its slots. */
    private final Map<String, Index> indexes = new HashMap<>();
    /**
     * Every job by state in acceptance order, and the counts views ask for, kept as records change: pages and
     * counts polled by the operator page every few seconds then never walk all the records.
     */
    private final Map<JobState, TreeMap<Long, Job>> bySeq = new EnumMap<>(JobState.class);
    private final Map<String, EnumMap<JobState, Integer>> providerCounts = new HashMap<>();
    private final Map<String, EnumMap<JobState, Integer>> accountCounts = new HashMap<>();
    /** Jobs with work left (not final, or a dead letter not written): idle() when none. */
    private int unfinished;
    private long seq;

    private static final class Index {
        final TreeSet<Job> queue = new TreeSet<>(QUEUE_ORDER);
        final TreeSet<Job> polling = new TreeSet<>(POLL_ORDER);
        final Set<String> holders = new HashSet<>();
        /** Jobs that left with a task possibly still running, by request id: until when their slot counts. */
        final Map<String, Job> phantoms = new HashMap<>();
    }

    public FileJobRepository(Path root, ObjectMapper json) {
        this.root = root;
        this.jobsDir = root.resolve("jobs");
        this.accountsDir = root.resolve("accounts");
        this.json = json;
        this.node = NodeName.create();
        try {
            Files.createDirectories(jobsDir);
            Files.createDirectories(accountsDir);
            lockChannel = FileChannel.open(root.resolve("repository.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the job repository folder " + root, e);
        }
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            l = null;
        }
        if (l == null) {
            closeQuietly();
            throw new IllegalStateException("another process (or another pipeline in this one) already uses the job "
                    + "repository in " + root + ". One folder serves one node: run a second node on the shared "
                    + "PostgreSQL repository (sora.repository.type=postgresql, see the README's \"Several nodes\"), "
                    + "or give this pipeline its own work folder (sora.work)");
        }
        lock = l;
        load();
    }

    private void closeQuietly() {
        try {
            lockChannel.close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }

    private void load() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(jobsDir, "*.json")) {
            for (Path file : files) {
                try {
                    Job job = json.readValue(file.toFile(), Job.class);
                    // the folder lock proves the process that claimed a step is gone: its claims lapse now
                    job.claimedBy = null;
                    job.claimUntil = null;
                    put(job);
                    seq = Math.max(seq, job.seq);
                } catch (IOException e) {
                    // A record we cannot read is kept for a person to look at, never silently dropped.
                    LOG.error("job record {} is unreadable and was skipped: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the job repository folder " + jobsDir, e);
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(accountsDir, "*.json")) {
            for (Path file : files) {
                try {
                    Account a = json.readValue(file.toFile(), Account.class);
                    accounts.put(a.key, a);
                } catch (IOException e) {
                    LOG.error("account record {} is unreadable and was skipped (the account starts afresh): {}", file,
                            e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the job repository folder " + accountsDir, e);
        }
        LOG.info("job repository {}: {} jobs on record", root, jobs.size());
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean exclusive() {
        return true;
    }

    @Override
    public Instant now() {
        return Instant.now();
    }

    // ---------------------------------------------------------------- jobs

    @Override
    public synchronized boolean create(Job job) {
        if (jobs.containsKey(job.requestId)) {
            return false;
        }
        job.seq = ++seq;
        job.version = 1;
        write(jobsDir, job.requestId, job);
        put(copy(job));
        return true;
    }

    @Override
    public synchronized Optional<Job> find(String requestId) {
        Job j = jobs.get(requestId);
        return j == null ? Optional.empty() : Optional.of(copy(j));
    }

    @Override
    public synchronized boolean update(Job job) {
        Job stored = jobs.get(job.requestId);
        if (stored == null || stored.version != job.version) {
            return false;
        }
        job.version++;
        try {
            write(jobsDir, job.requestId, job);
        } catch (RuntimeException e) {
            job.version--;
            throw e;
        }
        unindex(stored);
        put(copy(job));
        return true;
    }

    @Override
    public synchronized void delete(String requestId) {
        try {
            Files.deleteIfExists(jobsDir.resolve(requestId + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete job record " + requestId, e);
        }
        Job old = jobs.remove(requestId);
        if (old != null) {
            unindex(old);
        }
    }

    private void put(Job j) {
        jobs.put(j.requestId, j);
        bySeq.computeIfAbsent(j.state, k -> new TreeMap<>()).put(j.seq, j);
        count(providerCounts, j.provider, j.state, 1);
        count(accountCounts, j.account, j.state, 1);
        if (unfinished(j)) {
            unfinished++;
        }
        if (j.account == null) {
            return;
        }
        Index ix = indexes.computeIfAbsent(j.account, k -> new Index());
        switch (j.state) {
            case QUEUED -> ix.queue.add(j);
            case POLLING -> {
                ix.polling.add(j);
                ix.holders.add(j.requestId);
            }
            case SUBMITTING -> ix.holders.add(j.requestId);
            default -> {
            }
        }
        // on top of the slot the job holds itself: a task it lost track of may still run beside the current one
        if (j.slotHeldUntil != null) {
            ix.phantoms.put(j.requestId, j);
        }
    }

    private static boolean unfinished(Job j) {
        return !j.state.isFinal() || (j.state == JobState.DEAD && !j.deadLetterWritten);
    }

    private static void count(Map<String, EnumMap<JobState, Integer>> counts, String key, JobState state, int delta) {
        EnumMap<JobState, Integer> c = counts.computeIfAbsent(key, k -> new EnumMap<>(JobState.class));
        int n = c.getOrDefault(state, 0) + delta;
        if (n > 0) {
            c.put(state, n);
        } else {
            c.remove(state);
        }
        if (c.isEmpty()) {
            counts.remove(key);
        }
    }

    /** Takes a record out of every index; each caller has also taken it out of {@link #jobs} or is replacing it. */
    private void unindex(Job j) {
        TreeMap<Long, Job> states = bySeq.get(j.state);
        if (states != null && states.remove(j.seq, j)) {
            count(providerCounts, j.provider, j.state, -1);
            count(accountCounts, j.account, j.state, -1);
            if (unfinished(j)) {
                unfinished--;
            }
        }
        Index ix = j.account == null ? null : indexes.get(j.account);
        if (ix == null) {
            return;
        }
        ix.queue.remove(j);
        ix.polling.remove(j);
        ix.holders.remove(j.requestId);
        ix.phantoms.remove(j.requestId);
    }

    private Job copy(Job j) {
        try {
            return json.readValue(json.writeValueAsBytes(j), Job.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy job record " + j.requestId, e);
        }
    }

    // ---------------------------------------------------------------- accounts

    @Override
    public synchronized <T> T inAccount(String accountKey, boolean budgets, Function<AccountTx, T> work) {
        Account stored = accounts.get(accountKey);
        Account account = stored == null ? new Account(accountKey) : copyAccount(stored);
        String before = stored == null ? null : json.valueToTree(stored).toString();
        Instant now = now();
        // What the work writes is visible at once to its own reads, as in a database transaction (a job it took
        // counts against the slots it checks next, and is no longer queued); it is made durable only if the work
        // returns normally, and the records it replaced are put back if it throws.
        Map<String, Job> written = new LinkedHashMap<>();
        Map<String, Job> replaced = new HashMap<>();
        Index ix = indexes.computeIfAbsent(accountKey, k -> new Index());
        AccountTx tx = new AccountTx() {
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
                return slots(ix, now);
            }

            @Override
            public List<Job> queued(int limit) {
                List<Job> out = new ArrayList<>();
                for (Job j : ix.queue) {
                    if (out.size() >= limit) {
                        break;
                    }
                    out.add(copy(j));
                }
                return out;
            }

            @Override
            public Optional<Job> dueCheck() {
                if (ix.polling.isEmpty()) {
                    return Optional.empty();
                }
                Job first = ix.polling.first();
                return first.nextCheckAt != null && first.nextCheckAt.isAfter(now) ? Optional.empty()
                        : Optional.of(copy(first));
            }

            @Override
            public boolean update(Job job) {
                Job stored = jobs.get(job.requestId);
                if (stored == null || stored.version != job.version) {
                    return false;
                }
                job.version++;
                Job record = copy(job);
                replaced.putIfAbsent(job.requestId, stored);
                written.put(job.requestId, record);
                unindex(stored);
                put(record);
                return true;
            }

            @Override
            public List<Job> chargedSince(Instant since) {
                return FileJobRepository.this.chargedSince(since);
            }
        };
        T result;
        try {
            result = work.apply(tx);
            for (Job j : written.values()) {
                write(jobsDir, j.requestId, j);
            }
        } catch (RuntimeException | Error e) {
            for (Map.Entry<String, Job> r : replaced.entrySet()) {
                unindex(jobs.get(r.getKey()));
                put(r.getValue());
            }
            throw e;
        }
        // most looks change nothing: the account's file is written only when it did
        if (!json.valueToTree(account).toString().equals(before)) {
            write(accountsDir, fileName(accountKey), account);
            accounts.put(accountKey, copyAccount(account));
        }
        return result;
    }

    @Override
    public synchronized Optional<Account> account(String accountKey) {
        Account a = accounts.get(accountKey);
        return a == null ? Optional.empty() : Optional.of(copyAccount(a));
    }

    private Account copyAccount(Account a) {
        return json.convertValue(a, Account.class);
    }

    /** An account key may hold characters a file name cannot: the file is named by a digest when it does. */
    private static String fileName(String key) {
        return key.matches("[A-Za-z0-9._-]{1,100}") ? key : NodeName.digest(key);
    }

    private static int slots(Index ix, Instant now) {
        int phantoms = 0;
        for (Job j : ix.phantoms.values()) {
            if (j.slotHeldUntil.isAfter(now)) {
                phantoms += JobRepository.phantomSlots(j);
            }
        }
        return ix.holders.size() + phantoms;
    }

    // ---------------------------------------------------------------- queries

    @Override
    public synchronized Map<String, Map<JobState, Integer>> countByProviderAndState() {
        Map<String, Map<JobState, Integer>> c = new LinkedHashMap<>();
        providerCounts.forEach((p, m) -> c.put(p, new EnumMap<>(m)));
        return c;
    }

    @Override
    public synchronized Map<JobState, Integer> countByState(String accountKey) {
        EnumMap<JobState, Integer> c = accountCounts.get(accountKey);
        return c == null ? new EnumMap<>(JobState.class) : new EnumMap<>(c);
    }

    @Override
    public synchronized int slotsInUse(String accountKey) {
        Index ix = indexes.get(accountKey);
        return ix == null ? 0 : slots(ix, now());
    }

    @Override
    public synchronized List<Job> list(Set<JobState> states, int limit) {
        return page(states, null, limit);
    }

    @Override
    public synchronized List<Job> page(Set<JobState> states, Long beforeSeq, int limit) {
        // a merge of each wanted state's newest records: reads at most limit records per state, never all jobs
        List<Iterator<Job>> heads = new ArrayList<>();
        for (JobState s : states) {
            TreeMap<Long, Job> m = bySeq.get(s);
            if (m != null) {
                heads.add((beforeSeq == null ? m : m.headMap(beforeSeq, false)).descendingMap().values().iterator());
            }
        }
        PriorityQueue<Map.Entry<Job, Iterator<Job>>> next = new PriorityQueue<>(
                Comparator.comparingLong((Map.Entry<Job, Iterator<Job>> e) -> e.getKey().seq).reversed());
        for (Iterator<Job> it : heads) {
            if (it.hasNext()) {
                next.add(Map.entry(it.next(), it));
            }
        }
        List<Job> out = new ArrayList<>();
        while (out.size() < limit && !next.isEmpty()) {
            Map.Entry<Job, Iterator<Job>> e = next.poll();
            out.add(copy(e.getKey()));
            if (e.getValue().hasNext()) {
                next.add(Map.entry(e.getValue().next(), e.getValue()));
            }
        }
        return out;
    }

    @Override
    public synchronized boolean idle() {
        return unfinished == 0;
    }

    @Override
    public synchronized List<Job> queued(String accountKey, int limit) {
        Index ix = indexes.get(accountKey);
        return ix == null ? List.of() : ix.queue.stream().limit(limit).map(this::copy).toList();
    }

    @Override
    public synchronized List<Job> orphans(int limit) {
        Instant now = now();
        return jobs.values().stream()
                .filter(JobRepository::hasStepLeft)
                .filter(j -> j.claimUntil == null || !j.claimUntil.isAfter(now))
                .sorted(Comparator.comparingLong(j -> j.seq))
                .limit(limit).map(this::copy).toList();
    }

    @Override
    public synchronized List<Job> finishedBefore(Instant cutoff, int limit) {
        return jobs.values().stream()
                .filter(j -> j.state.isFinal() && ended(j) != null && ended(j).isBefore(cutoff))
                .sorted(Comparator.comparing(FileJobRepository::ended))
                .limit(limit).map(this::copy).toList();
    }

    private static Instant ended(Job j) {
        return j.state == JobState.STORED ? j.storedAt : j.state == JobState.DEAD ? j.deadAt : null;
    }

    @Override
    public synchronized List<Job> chargedSince(Instant since) {
        List<Job> out = new ArrayList<>();
        for (Job j : jobs.values()) {
            Instant last = JobRepository.lastCharge(j);
            if (last != null && !last.isBefore(since)) {
                out.add(copy(j));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- files

    private void write(Path dir, String name, Object record) {
        Path target = dir.resolve(name + ".json");
        Path tmp = dir.resolve(name + ".json.tmp");
        try {
            json.writeValue(tmp.toFile(), record);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write record " + target, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            LOG.warn("could not release the job repository lock in {}: {}", root, e.getMessage());
        }
    }
}
