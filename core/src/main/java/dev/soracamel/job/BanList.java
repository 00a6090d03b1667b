package dev.soracamel.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Customers the provider has banned or deleted. Their later requests are dead-lettered without any
 * API call. Kept as a plain text file, one customer id a line, so it survives restarts and a person
 * can read or edit it (remove a line to lift a ban locally).
 */
public class BanList {

    private final Path file;
    private final Set<String> banned = ConcurrentHashMap.newKeySet();

    public BanList(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        banned.add(line.strip());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ban list " + file, e);
        }
    }

    public boolean isBanned(String customerId) {
        return customerId != null && banned.contains(customerId);
    }

    public synchronized void ban(String customerId) {
        if (banned.add(customerId)) {
            try {
                Files.writeString(file, customerId + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the ban list " + file, e);
            }
        }
    }

    public int size() {
        return banned.size();
    }
}
