package dev.soracamel.s3;

import java.util.ArrayList;
import java.util.List;

import dev.soracamel.config.Props;

/**
 * Where the pipeline's S3 objects live: the intake prefix and its processed prefix, the videos' prefix,
 * the dead letters' prefix. Read once at start, with every prefix written the way S3 keys use it, and
 * refused when the intake would read the pipeline's own output: with a shared bucket, objects moved to
 * the processed prefix, stored videos or dead letters under the intake prefix would be read again as
 * requests (and moved away from where they belong).
 *
 * @param storeBucket      the bucket of an aws2-s3 storage endpoint, or null when videos go elsewhere
 * @param deadLetterBucket likewise for the dead-letter endpoint
 */
public record S3Layout(
        boolean intake,
        String intakeBucket,
        String intakePrefix,
        String processedPrefix,
        String storeBucket,
        String storePrefix,
        String deadLetterBucket,
        String deadLetterPrefix) {

    /** The prefix properties, as the default pipeline spells them. */
    static final String INTAKE_PREFIX = "sora.intake.s3.prefix";
    static final String PROCESSED_PREFIX = "sora.intake.s3.processed-prefix";
    static final String STORE_PREFIX = "sora.store.s3.prefix";
    static final String DEAD_LETTER_PREFIX = "sora.dead-letter.s3.prefix";
    /** Connections left for uploads and checks beside the objects an intake poll holds open. */
    static final int SPARE_CONNECTIONS = 10;

    /**
     * Reads, checks and normalizes the layout, with the storage endpoints the pipeline will use.
     * The routes take the normalized prefixes from here.
     */
    public static S3Layout read(Props p, String storeEndpoint, String deadLetterEndpoint) {
        S3Layout layout = new S3Layout(
                p.bool("sora.intake.s3.enabled"),
                p.string("sora.intake.s3.bucket"),
                prefix(p, INTAKE_PREFIX),
                prefix(p, PROCESSED_PREFIX),
                bucketOf(storeEndpoint),
                prefix(p, STORE_PREFIX),
                bucketOf(deadLetterEndpoint),
                prefix(p, DEAD_LETTER_PREFIX));
        layout.check(p);
        return layout;
    }

    /** A blank prefix is the bucket's top (unlike other properties, where blank means the default). */
    private static String prefix(Props p, String key) {
        return S3Settings.prefix(p.rawOrDefault(key));
    }

    private void check(Props p) {
        if (!intake) {
            return;
        }
        List<String> problems = new ArrayList<>();
        if (intakeBucket.isEmpty()) {
            problems.add("sora.intake.s3.enabled is true but sora.intake.s3.bucket is blank");
        }
        if (intakePrefix.isEmpty()) {
            problems.add(INTAKE_PREFIX + " is blank: the whole bucket would be the inbox, so processed objects would be "
                    + "read again; use a prefix such as inbox/");
        }
        if (processedPrefix.isEmpty()) {
            problems.add(PROCESSED_PREFIX + " is blank: read objects must move somewhere other than the inbox");
        } else {
            overlap(problems, PROCESSED_PREFIX, processedPrefix);
        }
        if (intakeBucket.equals(storeBucket)) {
            overlap(problems, STORE_PREFIX, storePrefix);
        }
        if (intakeBucket.equals(deadLetterBucket)) {
            overlap(problems, DEAD_LETTER_PREFIX, deadLetterPrefix);
        }
        // each object of a poll holds a connection until it is handled; uploads and checks need a few more
        int perPoll = p.integer("sora.intake.s3.max-objects-per-poll");
        int connections = S3Settings.maxConnections(p);
        if (perPoll < 1 || perPoll > connections - SPARE_CONNECTIONS) {
            problems.add("sora.intake.s3.max-objects-per-poll must be 1 to " + (connections - SPARE_CONNECTIONS)
                    + ": each object of a poll holds one of the S3 client's " + connections
                    + " connections (sora.s3.max-connections) until it is handled, and " + SPARE_CONNECTIONS
                    + " stay for uploads");
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("the S3 intake cannot start: " + String.join("; ", problems));
        }
    }

    /** In one bucket, neither prefix may start with the other, or one's keys could fall under the other. */
    private void overlap(List<String> problems, String key, String prefix) {
        if (prefix.startsWith(intakePrefix) || intakePrefix.startsWith(prefix)) {
            problems.add(key + "='" + prefix + "' and " + INTAKE_PREFIX + "='" + intakePrefix + "' overlap in bucket "
                    + intakeBucket + ": objects written there would be read as requests; use separate prefixes "
                    + "such as inbox/, processed/, videos/, dead-letter/");
        }
    }

    /** The bucket of an {@code aws2-s3:bucket?...} endpoint URI, or null for any other endpoint. */
    public static String bucketOf(String uri) {
        if (!uri.startsWith("aws2-s3:")) {
            return null;
        }
        String rest = uri.substring("aws2-s3:".length());
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
        }
        int q = rest.indexOf('?');
        return q < 0 ? rest : rest.substring(0, q);
    }
}
