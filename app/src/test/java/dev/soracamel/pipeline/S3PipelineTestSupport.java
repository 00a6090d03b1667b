package dev.soracamel.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.s3.S3ProxyServer;
import dev.soracamel.sandbox.Mp4Padding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The end-to-end tests of {@link PipelineTestSupport} with an S3 store beside the folders: S3Proxy on
 * 127.0.0.1 for the test class, a fresh bucket for each test. The pipeline is pointed at it through the
 * same {@code sora.s3.*} properties a deployment uses; the test reads and writes the bucket with its own
 * client. Counts of stored and dead-lettered requests, and the inbox check, cover the folders and the
 * bucket, so {@link #awaitSettled} works for every combination.
 */
abstract class S3PipelineTestSupport extends PipelineTestSupport {

    static final String INBOX = "inbox/";
    static final String PROCESSED = "processed/";
    static final String VIDEOS = "videos/";
    static final String DEAD = "dead-letter/";
    static final int PART_SIZE = 5 * 1024 * 1024;

    static S3ProxyServer s3;
    static S3Client client;

    private String bucket;

    @BeforeAll
    static void startS3() throws Exception {
        Path base = Path.of("target", "test-work");
        Files.createDirectories(base);
        s3 = S3ProxyServer.start(Files.createTempDirectory(base, "s3proxy-"));
        client = S3Client.builder()
                .region(Region.US_EAST_1)
                .endpointOverride(s3.endpoint())
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .build();
    }

    @AfterAll
    static void stopS3() throws Exception {
        client.close();
        s3.close();
    }

    /** This test's bucket, created on first use (the properties are read before any field of ours is set). */
    String bucket() {
        if (bucket == null) {
            bucket = "sora-" + UUID.randomUUID().toString().substring(0, 13);
            s3.createBucket(bucket);
        }
        return bucket;
    }

    @Override
    protected final void configure(Properties p) {
        p.put("sora.s3.endpoint-override", s3.endpoint().toString());
        p.put("sora.s3.force-path-style", "true");
        p.put("sora.s3.access-key", S3ProxyServer.ACCESS_KEY);
        p.put("sora.s3.secret-key", S3ProxyServer.SECRET_KEY);
        p.put("sora.s3.checksums", "when-required");
        p.put("sora.s3.part-size", String.valueOf(PART_SIZE));
        p.put("sora.intake.s3.poll-delay-ms", "50");
        p.put("sora.store.retry-delay-ms", "50");
        configureS3(p);
    }

    /** What a test class uses: {@link #s3Intake}, {@link #s3Storage}, {@link #s3DeadLetters}, or other properties. */
    protected void configureS3(Properties p) {
    }

    /** Requests come from the bucket's inbox/ prefix; {@code folderToo} keeps the inbox folder read as well. */
    void s3Intake(Properties p, boolean folderToo) {
        p.put("sora.intake.s3.enabled", "true");
        p.put("sora.intake.s3.bucket", bucket());
        p.put("sora.intake.folder.enabled", String.valueOf(folderToo));
    }

    void s3Storage(Properties p) {
        p.put("sora.store.s3.bucket", bucket());
        p.put("sora.store.endpoint", "{{sora.store.s3.endpoint}}");
    }

    void s3DeadLetters(Properties p) {
        p.put("sora.dead-letter.s3.bucket", bucket());
        p.put("sora.dead-letter.endpoint", "{{sora.dead-letter.s3.endpoint}}");
    }

    /** Puts a request object under the intake prefix (an S3 put is atomic: no temporary name needed). */
    void put(String name, String content) {
        client.putObject(r -> r.bucket(bucket()).key(INBOX + name), RequestBody.fromString(content));
    }

    List<String> keys(String prefix) {
        return client.listObjectsV2Paginator(r -> r.bucket(bucket()).prefix(prefix)).contents().stream()
                .map(S3Object::key).sorted().toList();
    }

    byte[] bytes(String key) {
        return client.getObjectAsBytes(r -> r.bucket(bucket()).key(key)).asByteArray();
    }

    JsonNode json(String key) throws IOException {
        return JSON.readTree(bytes(key));
    }

    static String videoKey(String customer, String requestId) {
        return VIDEOS + customer + "/" + requestId + ".mp4";
    }

    static String metadataKey(String customer, String requestId) {
        return VIDEOS + customer + "/" + requestId + ".json";
    }

    static String errorKey(String requestId) {
        return DEAD + requestId + ".error.json";
    }

    /**
     * The key of a rejection's reason ({@code .error.json}) or original (anything else) in the dead-letter
     * prefix: {@code <id>~<digest>...}, since a rejected input never became a job.
     */
    String rejectionKey(String requestId, boolean reason) {
        return keys(DEAD + requestId + "~").stream().filter(k -> k.endsWith(".error.json") == reason).findFirst()
                .orElseThrow(() -> new AssertionError("no rejection of " + requestId + " in " + keys(DEAD)));
    }

    @Override
    long storedCount() throws IOException {
        return super.storedCount() + keys(VIDEOS).stream().filter(k -> k.endsWith(".mp4")).count();
    }

    @Override
    long deadCount() throws IOException {
        return super.deadCount() + keys(DEAD).stream().filter(k -> k.endsWith(".error.json")).count();
    }

    @Override
    boolean inboxEmpty() throws IOException {
        return super.inboxEmpty() && keys(INBOX).isEmpty();
    }

    /** SHA-256 of an object, read as a stream (videos may be large). */
    String sha256(String key) throws Exception {
        try (InputStream in = client.getObject(r -> r.bucket(bucket()).key(key))) {
            return sha256(in);
        }
    }

    /** SHA-256 of what the sandbox serves for a video padded to {@code bytes} (0: the plain sample). */
    static String servedSha256(long bytes) throws Exception {
        byte[] sample;
        try (InputStream in = S3PipelineTestSupport.class.getResourceAsStream("/sandbox/sample.mp4")) {
            sample = in.readAllBytes();
        }
        try (InputStream in = Mp4Padding.stream(sample, bytes)) {
            return sha256(in);
        }
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
