package dev.soracamel.s3;

import java.net.URI;
import java.util.Locale;

import dev.soracamel.config.Props;

/**
 * How the pipeline reaches S3 ({@code sora.s3.*}): the same settings camel-aws2-s3 names {@code region},
 * {@code uriEndpointOverride}, {@code forcePathStyle}, {@code accessKey}/{@code secretKey} or
 * {@code useDefaultCredentialsProvider}. They build one client that every S3 endpoint of the pipeline
 * shares, so that the start-up check of a bucket uses exactly what the routes will use.
 * <p>
 * Read at every start, checked only when the client is first needed: a run without S3 ignores them.
 *
 * @param endpointOverride      blank for AWS itself; the URL of a MinIO, Ceph or other S3-compatible store
 * @param accessKey             blank: the AWS default credentials chain
 * @param checksums             when-supported (the AWS SDK's default: a checksum with every upload) or
 *                              when-required, for stores that reject those checksums
 * @param maxConnections        the client's connection pool
 */
public record S3Settings(
        String region,
        String endpointOverride,
        boolean forcePathStyle,
        String accessKey,
        String secretKey,
        String checksums,
        int maxConnections) {

    public static S3Settings read(Props p) {
        return new S3Settings(p.string("sora.s3.region"), p.string("sora.s3.endpoint-override"),
                p.bool("sora.s3.force-path-style"), p.string("sora.s3.access-key"),
                p.string("sora.s3.secret-key"), p.string("sora.s3.checksums").toLowerCase(Locale.ROOT),
                maxConnections(p));
    }

    static int maxConnections(Props p) {
        return p.integer("sora.s3.max-connections");
    }

    /** Fails with the property to fix when the settings cannot build a client. */
    public void check() {
        if (accessKey.isEmpty() != secretKey.isEmpty()) {
            throw new IllegalStateException("S3 credentials are half set: give both sora.s3.access-key and sora.s3.secret-key "
                    + "(SORA_S3_ACCESS_KEY, SORA_S3_SECRET_KEY), or neither to use the AWS default credentials chain");
        }
        if (maxConnections < 1) {
            throw new IllegalStateException("sora.s3.max-connections must be at least 1, not " + maxConnections);
        }
        if (!checksums.equals("when-supported") && !checksums.equals("when-required")) {
            throw new IllegalStateException("sora.s3.checksums must be when-supported or when-required, not '" + checksums + "'");
        }
        if (!endpointOverride.isEmpty()) {
            URI u;
            try {
                u = URI.create(endpointOverride);
            } catch (IllegalArgumentException e) {
                u = null;
            }
            if (u == null || u.getScheme() == null || u.getHost() == null) {
                throw new IllegalStateException("sora.s3.endpoint-override must be a URL such as http://127.0.0.1:9000, not '"
                        + endpointOverride + "'");
            }
        }
    }

    public boolean checksumsWhenRequired() {
        return checksums.equals("when-required");
    }

    public boolean hasKeys() {
        return !accessKey.isEmpty();
    }

    /** Where requests go, for messages: the override URL or the AWS region. */
    public String where() {
        return endpointOverride.isEmpty() ? "AWS region " + region : endpointOverride + " (region " + region + ")";
    }

    /** Which credentials are used, for messages; never the keys themselves. */
    public String credentialSource() {
        return hasKeys() ? "the key pair in sora.s3.access-key and sora.s3.secret-key (SORA_S3_ACCESS_KEY, SORA_S3_SECRET_KEY)"
                : "the AWS default credentials chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, "
                + "or the instance or task role), since sora.s3.access-key is blank";
    }

    /** The secret stays out of logs, exception messages and debuggers' summaries. */
    @Override
    public String toString() {
        return "S3Settings[" + where() + ", forcePathStyle=" + forcePathStyle + ", credentials="
                + (hasKeys() ? "key pair" : "default chain") + ", checksums=" + checksums + "]";
    }

    /**
     * A key prefix as S3 keys use it: no leading slash, one trailing slash, or empty for the bucket's top.
     * Writing {@code videos} or {@code /videos/} in a property means the same.
     */
    public static String prefix(String raw) {
        String p = raw == null ? "" : raw.strip();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        return p.isEmpty() || p.endsWith("/") ? p : p + "/";
    }
}
