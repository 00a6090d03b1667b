package dev.soracamel.s3;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * S3Proxy as a process of its own, for scripts (bench/s3-heap.sh): an S3 store on 127.0.0.1 with the test
 * key pair ({@link S3ProxyServer#ACCESS_KEY}), buckets kept as folders under {@code --dir}. It writes its
 * endpoint URL to {@code --endpoint-file} once it answers, and runs until it is stopped (SIGTERM).
 * <pre>
 * java -cp target/test-classes:target/classes:&lt;test classpath&gt; dev.soracamel.s3.S3ProxyMain \
 *     --dir /tmp/s3 --bucket sora-bench --endpoint-file /tmp/s3.endpoint
 * </pre>
 */
public final class S3ProxyMain {

    private S3ProxyMain() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = null;
        Path endpointFile = null;
        List<String> buckets = new ArrayList<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--bucket" -> buckets.add(args[i + 1]);
                case "--endpoint-file" -> endpointFile = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (dir == null || endpointFile == null || args.length % 2 != 0) {
            throw new IllegalArgumentException("usage: --dir DIR --endpoint-file FILE [--bucket NAME]...");
        }
        S3ProxyServer server = S3ProxyServer.start(dir);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                e.printStackTrace();
            } finally {
                stopped.countDown();
            }
        }, "s3proxy-stop"));
        for (String bucket : buckets) {
            server.createBucket(bucket);
        }
        // written whole under another name, then renamed: a reader never sees half a URL
        Path tmp = endpointFile.resolveSibling(endpointFile.getFileName() + ".tmp");
        Files.writeString(tmp, server.endpoint().toString(), StandardCharsets.UTF_8);
        Files.move(tmp, endpointFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("S3Proxy at " + server.endpoint() + " with buckets " + buckets + " under " + dir);
        stopped.await();
    }
}
