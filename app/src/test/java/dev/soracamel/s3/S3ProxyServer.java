package dev.soracamel.s3;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.domain.MultipartPart;
import org.jclouds.blobstore.domain.MultipartUpload;
import org.jclouds.blobstore.util.ForwardingBlobStore;
import org.jclouds.io.Payload;

/**
 * An S3 server for tests and the benchmark: S3Proxy in this JVM, bound to 127.0.0.1 on a free port, keeping
 * its buckets as folders under {@code basedir} (its {@code filesystem-nio2} store). It checks AWS signatures
 * with a fixed key pair, so a wrong key is refused as a real store would refuse it. It also counts the
 * multipart parts each object received, and can fail the next part uploads on purpose.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "sora-test-key";
    public static final String SECRET_KEY = "sora-test-secret";

    private S3Proxy proxy;
    private final BlobStoreContext blobs;
    private final Recording recording;
    private final int port;

    private S3ProxyServer(S3Proxy proxy, BlobStoreContext blobs, Recording recording) {
        this.proxy = proxy;
        this.blobs = blobs;
        this.recording = recording;
        this.port = proxy.getPort();
    }

    public static S3ProxyServer start(Path basedir) throws Exception {
        // S3Proxy and its Jetty announce every start at INFO
        Configurator.setLevel("org.gaul", Level.WARN);
        Files.createDirectories(basedir);
        Properties p = new Properties();
        p.setProperty("jclouds.filesystem.basedir", basedir.toAbsolutePath().toString());
        BlobStoreContext blobs = ContextBuilder.newBuilder("filesystem-nio2")
                .credentials(ACCESS_KEY, SECRET_KEY)
                .overrides(p)
                .build(BlobStoreContext.class);
        Recording recording = new Recording(blobs.getBlobStore());
        S3Proxy proxy;
        try {
            proxy = listen(recording, 0);
        } catch (Exception e) {
            blobs.close();
            throw e;
        }
        return new S3ProxyServer(proxy, blobs, recording);
    }

    private static S3Proxy listen(BlobStore store, int port) throws Exception {
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(store)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        long end = System.nanoTime() + 10_000_000_000L;
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > end || "FAILED".equals(proxy.getState())) {
                proxy.stop();
                throw new IOException("S3Proxy did not start on port " + port + ": " + proxy.getState());
            }
            Thread.sleep(10);
        }
        return proxy;
    }

    /**
     * S3 goes down: nothing listens on its port any more, so clients get refused connections, as from a store
     * that is down or unreachable. Its objects stay.
     */
    public synchronized void stop() throws Exception {
        if (proxy != null) {
            proxy.stop();
            proxy = null;
        }
    }

    /** S3 comes back on the same port, with the same objects. */
    public synchronized void startAgain() throws Exception {
        if (proxy == null) {
            proxy = listen(recording, port);
        }
    }

    public synchronized boolean running() {
        return proxy != null;
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public void createBucket(String name) {
        blobs.getBlobStore().createContainerInLocation(null, name);
    }

    /** Multipart parts stored for {@code key} in {@code bucket} (0 when it went up in one request). */
    public int partsUploaded(String bucket, String key) {
        AtomicInteger n = recording.parts.get(bucket + "/" + key);
        return n == null ? 0 : n.get();
    }

    /** The next {@code count} part uploads answer 500, as a store having a bad moment would. */
    public void failNextParts(int count) {
        recording.failParts.set(count);
    }

    @Override
    public void close() throws Exception {
        stop();
        blobs.close();
    }

    private static final class Recording extends ForwardingBlobStore {
        final Map<String, AtomicInteger> parts = new ConcurrentHashMap<>();
        final AtomicInteger failParts = new AtomicInteger();

        Recording(BlobStore delegate) {
            super(delegate);
        }

        @Override
        public MultipartPart uploadMultipartPart(MultipartUpload mpu, int partNumber, Payload payload) {
            if (failParts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IllegalStateException("part " + partNumber + " of " + mpu.blobName() + " failed on purpose");
            }
            MultipartPart part = super.uploadMultipartPart(mpu, partNumber, payload);
            parts.computeIfAbsent(mpu.containerName() + "/" + mpu.blobName(), k -> new AtomicInteger()).incrementAndGet();
            return part;
        }
    }
}
