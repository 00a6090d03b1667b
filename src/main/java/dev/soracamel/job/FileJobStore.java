package dev.soracamel.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON file per job under a folder. A write goes to a temporary file that is then renamed over the
 * old record, so a crash leaves either the old or the new record, never half of one. All jobs are also
 * held in memory: the store is read once at start.
 */
public class FileJobStore implements JobStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileJobStore.class);

    private final Path dir;
    private final ObjectMapper json;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();

    public FileJobStore(Path dir, ObjectMapper json) {
        this.dir = dir;
        this.json = json;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the job store folder " + dir, e);
        }
        load();
    }

    private void load() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path file : files) {
                try {
                    Job job = json.readValue(file.toFile(), Job.class);
                    jobs.put(job.requestId, job);
                } catch (IOException e) {
                    // A record we cannot read is kept for a person to look at, never silently dropped.
                    LOG.error("job record {} is unreadable and was skipped: {}", file, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the job store folder " + dir, e);
        }
        LOG.info("job store {}: {} jobs on record", dir, jobs.size());
    }

    @Override
    public synchronized boolean create(Job job) {
        if (jobs.containsKey(job.requestId)) {
            return false;
        }
        write(job);
        jobs.put(job.requestId, job);
        return true;
    }

    @Override
    public synchronized void update(Job job) {
        write(job);
        jobs.put(job.requestId, job);
    }

    @Override
    public Optional<Job> find(String requestId) {
        return Optional.ofNullable(jobs.get(requestId));
    }

    @Override
    public Collection<Job> all() {
        return Collections.unmodifiableCollection(jobs.values());
    }

    @Override
    public synchronized void delete(String requestId) {
        try {
            Files.deleteIfExists(dir.resolve(requestId + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete job record " + requestId, e);
        }
        jobs.remove(requestId);
    }

    private void write(Job job) {
        Path target = dir.resolve(job.requestId + ".json");
        Path tmp = dir.resolve(job.requestId + ".json.tmp");
        try {
            json.writeValue(tmp.toFile(), job);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write job record " + target, e);
        }
    }
}
