package dev.soracamel.config;

/**
 * The {@code sora.redrive.*} properties: the folder form of a redrive ({@code <id>.redrive} dropped into the
 * dead-letter folder). Documented in {@code config/application.properties}; the defaults are these, read here only.
 *
 * @param folderEnabled         watch the dead-letter folder for {@code *.redrive} files
 * @param pollDelayMs           milliseconds between looks at the folder
 * @param readLockCheckIntervalMs milliseconds between two checks that a file stopped changing
 * @param readLockMinAgeMs      milliseconds a file must be unchanged before it is read
 * @param maxFilesPerPoll       files taken per look
 * @param maxFileBytes          the most read of one file; a larger one is refused unread
 */
public record RedriveSettings(boolean folderEnabled, int pollDelayMs, int readLockCheckIntervalMs,
                              int readLockMinAgeMs, int maxFilesPerPoll, int maxFileBytes) {

    public static RedriveSettings read(Props p) {
        return new RedriveSettings(
                p.bool("sora.redrive.folder.enabled"),
                p.integer("sora.redrive.folder.poll-delay-ms"),
                p.integer("sora.redrive.folder.read-lock-check-interval-ms"),
                p.integer("sora.redrive.folder.read-lock-min-age-ms"),
                p.integer("sora.redrive.folder.max-files-per-poll"),
                Math.max(1, p.integer("sora.redrive.folder.max-file-bytes")));
    }
}
