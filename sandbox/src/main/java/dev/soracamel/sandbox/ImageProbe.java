package dev.soracamel.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a submitted image_url and checks it the way seed 000 describes: a direct link to a jpeg/jpg/png
 * of at most 5 MB and at most 2000 px on the long side.
 *
 * <p>The sandbox never leaves the machine: only loopback hosts (localhost, 127.x.x.x, [::1]) are fetched,
 * written as literals so no name is resolved; any other host answers IMAGE_NOT_FOUND, as an unreachable
 * image would. Redirects are not followed for the same reason.
 */
final class ImageProbe {

    /** "5 MB" read as 5 MiB, the usual reading of such limits in server code. */
    static final int MAX_BYTES = 5 * 1024 * 1024;
    static final int MAX_SIDE_PX = 2000;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
    private static final Logger LOG = LoggerFactory.getLogger(ImageProbe.class);

    private final Executor reader;
    private HttpClient client;

    ImageProbe(Executor reader) {
        this.reader = reader;
    }

    /** Made on first use: a JDK client starts a selector thread, which most sandboxes never need. */
    private synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder()
                    .proxy(HttpClient.Builder.NO_PROXY)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(TIMEOUT)
                    .executor(reader)
                    .build();
        }
        return client;
    }

    /** Step 9 after the URL's form was checked: reachable, small enough, a jpeg or png, not too large. */
    void check(String imageUrl) throws ApiException {
        URI uri = URI.create(imageUrl);
        if (!isLoopback(uri.getHost())) {
            LOG.warn("sandbox does not fetch non-loopback image_url {}; answering IMAGE_NOT_FOUND", imageUrl);
            throw new ApiException(ApiError.IMAGE_NOT_FOUND);
        }
        byte[] image = fetch(uri);
        if (image.length > MAX_BYTES) {
            throw new ApiException(ApiError.IMAGE_FILE_SIZE_NOT_VALID);
        }
        int[] size = ImageSize.of(image);
        if (size == null) {
            throw new ApiException(ApiError.IMAGE_MIME_TYPE_NOT_VALID);
        }
        // The seed has no code of its own for too many pixels; the size code is the closest.
        if (Math.max(size[0], size[1]) > MAX_SIDE_PX) {
            throw new ApiException(ApiError.IMAGE_FILE_SIZE_NOT_VALID);
        }
    }

    /** The body, or at most {@code MAX_BYTES + 1} bytes of it: enough to know it is too large. */
    private byte[] fetch(URI uri) throws ApiException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build();
        CompletableFuture<byte[]> body = client().sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                .thenApplyAsync(ImageProbe::readLimited, reader);
        try {
            byte[] bytes = body.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (bytes == null) {
                throw new ApiException(ApiError.IMAGE_NOT_FOUND);
            }
            return bytes;
        } catch (TimeoutException | ExecutionException e) {
            body.cancel(true);
            LOG.info("image_url {} not fetched: {}", uri, e.toString());
            throw new ApiException(ApiError.IMAGE_NOT_FOUND);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(ApiError.IMAGE_NOT_FOUND);
        }
    }

    /** Null for anything but 200. */
    private static byte[] readLimited(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                return null;
            }
            return in.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            return null;
        }
    }

    static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.equals("[::1]") || IPV4_LOOPBACK.matcher(h).matches();
    }
}
