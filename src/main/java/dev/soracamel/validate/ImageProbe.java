package dev.soracamel.validate;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * Checks a reference image the way the provider will (seed 000: jpeg or png, at most 5 MB, at most
 * 2000 px on the long side) before a paid call is made. The fetch has a timeout and never reads more than
 * the size cap plus one byte.
 */
public class ImageProbe {

    private final HttpClient http;
    private final Duration timeout;
    private final long maxBytes;
    private final int maxSide;

    public ImageProbe(Duration timeout, long maxBytes, int maxSide) {
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.maxSide = maxSide;
        this.http = HttpClient.newBuilder().connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** @return null when the image is acceptable */
    public Rejection check(String url) {
        byte[] head;
        try {
            HttpResponse<InputStream> response = http.send(
                    HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    return new Rejection("IMAGE_NOT_FOUND", "image_url answered HTTP " + response.statusCode());
                }
                head = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            }
        } catch (IOException | IllegalArgumentException e) {
            return new Rejection("IMAGE_NOT_FOUND", "image_url could not be fetched: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Rejection("IMAGE_NOT_FOUND", "image_url fetch was interrupted");
        }
        if (head.length > maxBytes) {
            return new Rejection("IMAGE_FILE_SIZE_NOT_VALID", "the image is larger than " + maxBytes + " bytes");
        }
        String type = type(head);
        if (type == null) {
            return new Rejection("IMAGE_MIME_TYPE_NOT_VALID", "the image is neither jpeg nor png");
        }
        int[] size = dimensions(head);
        if (size == null) {
            return new Rejection("IMAGE_MIME_TYPE_NOT_VALID", "the " + type + " image could not be read");
        }
        if (Math.max(size[0], size[1]) > maxSide) {
            return new Rejection("IMAGE_FILE_SIZE_NOT_VALID", "the image is " + size[0] + "x" + size[1]
                    + " px; its long side must be at most " + maxSide + " px");
        }
        return null;
    }

    static String type(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "jpeg";
        }
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "png";
        }
        return null;
    }

    /** Reads only the header: width and height, without decoding the pixels. */
    private static int[] dimensions(byte[] b) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return null;
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                return new int[] {reader.getWidth(0), reader.getHeight(0)};
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            return null;
        }
    }
}
