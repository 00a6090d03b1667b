package dev.soracamel.s3;

import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Endpoint;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.apache.camel.spi.EndpointStrategy;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The pipeline's one S3 client ({@code #soraS3} in endpoint URIs), built on first use so that a run without
 * S3 never touches AWS, and closed when the context stops.
 * <p>
 * camel-aws2-s3 itself starts quietly when a bucket is missing (404) or when access is refused (403), and
 * the first upload fails hours later, after a video was paid for. So every aws2-s3 endpoint that uses this
 * client has its bucket checked the moment the endpoint is created, and the start fails with a sentence
 * that names the bucket and what to check.
 */
public final class S3Access extends ServiceSupport implements EndpointStrategy {

    private static final Logger LOG = LoggerFactory.getLogger("sora.s3");

    private final S3Settings settings;
    private final String beanName;
    private final Set<String> checked = ConcurrentHashMap.newKeySet();
    private volatile S3Client client;

    /** @param beanName the registry name of the client ({@code <pipeline>S3}) */
    public S3Access(S3Settings settings, String beanName) {
        this.settings = settings;
        this.beanName = beanName;
    }

    public String beanName() {
        return beanName;
    }

    public synchronized S3Client client() {
        if (client == null) {
            settings.check();
            S3ClientBuilder b = S3Client.builder()
                    .region(Region.of(settings.region()))
                    .forcePathStyle(settings.forcePathStyle())
                    .httpClientBuilder(ApacheHttpClient.builder().maxConnections(settings.maxConnections()))
                    .credentialsProvider(settings.hasKeys()
                            ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                                    settings.secretKey()))
                            : DefaultCredentialsProvider.builder().build());
            if (!settings.endpointOverride().isEmpty()) {
                b.endpointOverride(URI.create(settings.endpointOverride()));
            }
            if (settings.checksumsWhenRequired()) {
                b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
            }
            client = b.build();
            LOG.info("S3 client for {}", settings);
        }
        return client;
    }

    /** Called by Camel for every endpoint it creates; only ours, with our client, are checked. */
    @Override
    public Endpoint registerEndpoint(String uri, Endpoint endpoint) {
        if (endpoint instanceof AWS2S3Endpoint s3 && client != null && s3.getConfiguration().getAmazonS3Client() == client) {
            check(s3.getConfiguration().getBucketName());
        }
        return endpoint;
    }

    /**
     * Fails unless the bucket exists and these credentials may use it. HEAD bucket proves both existence and
     * list permission; write permission shows only at the first write.
     */
    public void check(String bucket) {
        if (bucket == null || bucket.isBlank()) {
            throw new IllegalStateException("an S3 endpoint has no bucket name: set sora.intake.s3.bucket, "
                    + "sora.store.s3.bucket or sora.dead-letter.s3.bucket for the S3 parts you enabled");
        }
        if (checked.contains(bucket)) {
            return;
        }
        try {
            client().headBucket(r -> r.bucket(bucket));
        } catch (S3Exception e) {
            throw new IllegalStateException(explain(bucket, e), e);
        } catch (SdkClientException e) {
            throw new IllegalStateException("cannot check S3 bucket '" + bucket + "' at " + settings.where() + ": "
                    + e.getMessage() + ". Check sora.s3.endpoint-override and that the store is reachable; if no "
                    + "credentials were found, check " + settings.credentialSource(), e);
        }
        checked.add(bucket);
        LOG.info("S3 bucket {} at {}: reachable with {}", bucket, settings.where(),
                settings.hasKeys() ? "the configured key pair" : "the default credentials chain");
    }

    private String explain(String bucket, S3Exception e) {
        String at = "S3 bucket '" + bucket + "' at " + settings.where();
        return switch (e.statusCode()) {
            case 404 -> at + " does not exist: create it, or correct the bucket name (sora.intake.s3.bucket, "
                    + "sora.store.s3.bucket, sora.dead-letter.s3.bucket)";
            case 401, 403 -> at + " refused access (HTTP " + e.statusCode() + "): check " + settings.credentialSource()
                    + ", and that they may list, read and write this bucket";
            case 301 -> at + " is in another region"
                    + e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region")
                    .map(r -> " (" + r + ")").orElse("") + ": set sora.s3.region to the bucket's region";
            default -> at + " could not be checked (HTTP " + e.statusCode() + "): " + e.getMessage()
                    + ". Check sora.s3.region, sora.s3.endpoint-override and sora.s3.force-path-style";
        };
    }

    @Override
    protected synchronized void doStop() {
        if (client != null) {
            client.close();
            client = null;
        }
        checked.clear();
    }
}
