package dev.soracamel.validate;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Checks a reference image the way the provider will (seed 000: jpeg or png, at most 5 MB, at most
 * 2000 px on the long side) before a paid call is made.
 *
 * <p>The link is anyone's, so the fetch is guarded:
 * <ul>
 *   <li><b>where</b>: the host is resolved here and every address it gives is checked by the
 *       {@link AddressPolicy} (no loopback, link-local, private, multicast or unspecified address unless
 *       allowed); the connection goes to the checked address itself, so a second lookup cannot swap it.
 *       Redirects are followed by hand, at most {@value #MAX_REDIRECTS}, each hop checked the same way. No
 *       proxy is used;</li>
 *   <li><b>how long</b>: one deadline for the whole check (name lookup, connect, every redirect, headers and
 *       body), not per read: a host that sends a byte a second is cut off at the deadline;</li>
 *   <li><b>how much</b>: at most the size cap plus one byte of body, and {@value #MAX_HEADER_BYTES} bytes of
 *       headers;</li>
 *   <li><b>how many at once</b>: a fixed number of checks run at a time, each on a thread of its own, so
 *       neither the intake nor the HTTP server's workers wait longer than the deadline; a caller that must not
 *       wait for a free place (REST) is told at once that the check is busy;</li>
 *   <li><b>what is said</b>: a code and a sentence of ours, never the socket's error text (which would make
 *       the check a port scanner).</li>
 * </ul>
 */
public class ImageProbe implements AutoCloseable {

    static final int MAX_REDIRECTS = 5;
    static final int MAX_HEADER_BYTES = 16 * 1024;
    /** How long a caller that must answer quickly (REST) waits for a free place. */
    static final Duration QUICK_WAIT = Duration.ofMillis(200);

    private final Duration deadline;
    private final long maxBytes;
    private final int maxSide;
    private final AddressPolicy policy;
    private final int maxConcurrent;
    private final Semaphore places;
    private final ExecutorService threads;

    public ImageProbe(Duration deadline, long maxBytes, int maxSide) {
        this(deadline, maxBytes, maxSide, AddressPolicy.publicOnly(), 4);
    }

    /**
     * @param deadline      the whole check, every redirect included
     * @param policy        which addresses may be fetched
     * @param maxConcurrent checks running at once
     */
    public ImageProbe(Duration deadline, long maxBytes, int maxSide, AddressPolicy policy, int maxConcurrent) {
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("image checks at once must be at least 1, not " + maxConcurrent);
        }
        this.deadline = deadline;
        this.maxBytes = maxBytes;
        this.maxSide = maxSide;
        this.policy = policy;
        this.maxConcurrent = maxConcurrent;
        this.places = new Semaphore(maxConcurrent, true);
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sora-image-check");
            t.setDaemon(true);
            return t;
        });
    }

    /** @return null when the image is acceptable; waits up to the deadline for a free place */
    public Rejection check(String url) {
        return check(url, true);
    }

    /**
     * @param mayWait false for a caller that answers someone waiting (REST): it waits at most a moment for a
     *                free place, and is told the check is busy rather than tying up its thread
     * @return null when the image is acceptable
     */
    public Rejection check(String url, boolean mayWait) {
        long end = System.nanoTime() + deadline.toNanos();
        try {
            long wait = mayWait ? deadline.toNanos() : Math.min(QUICK_WAIT.toNanos(), deadline.toNanos());
            if (!places.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                return new Rejection("IMAGE_CHECK_BUSY", maxConcurrent + " image checks are under way "
                        + "(sora.validation.image-max-concurrent); send the request again in a moment");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Rejection("IMAGE_NOT_FOUND", "the image check was interrupted");
        }
        AtomicReference<Socket> open = new AtomicReference<>();
        Future<Rejection> running;
        try {
            running = threads.submit(() -> {
                try {
                    return fetchAndCheck(url, end, open);
                } finally {
                    // the place is held until the fetch really ended (a lookup the deadline cut off may go on)
                    places.release();
                    closeQuietly(open.get());
                }
            });
        } catch (RuntimeException e) {
            places.release();
            return new Rejection("IMAGE_CHECK_BUSY", "the image check could not be started; send the request again");
        }
        try {
            return running.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            running.cancel(true);
            closeQuietly(open.get());
            return late();
        } catch (InterruptedException e) {
            running.cancel(true);
            closeQuietly(open.get());
            Thread.currentThread().interrupt();
            return new Rejection("IMAGE_NOT_FOUND", "the image check was interrupted");
        } catch (ExecutionException | CancellationException e) {
            return new Rejection("IMAGE_NOT_FOUND", "the image could not be fetched");
        }
    }

    private Rejection late() {
        return new Rejection("IMAGE_NOT_FOUND", "the image did not arrive whole within "
                + deadline.toMillis() + " ms (sora.validation.image-timeout)");
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    // ------------------------------------------------------------------ the fetch

    /** What a fetch gave: the first bytes of the body, or why there are none. */
    private record Fetched(byte[] body, Rejection refused) {
    }

    private Rejection fetchAndCheck(String url, long end, AtomicReference<Socket> open) {
        Fetched f = fetch(url, end, open);
        if (f.refused != null) {
            return f.refused;
        }
        return checkImage(f.body);
    }

    private Fetched fetch(String first, long end, AtomicReference<Socket> open) {
        URI uri;
        try {
            uri = new URI(first);
        } catch (URISyntaxException e) {
            return refused("IMAGE_URL_NOT_VALID", "image_url is not a well-formed link");
        }
        for (int hop = 0; ; hop++) {
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return refused(hop == 0 ? "IMAGE_URL_NOT_VALID" : "IMAGE_NOT_FOUND", hop == 0
                        ? "image_url must be an http(s) link" : "image_url redirects to a link that is not http(s)");
            }
            String host = uri.getHost();
            if (host == null || host.isEmpty()) {
                return refused(hop == 0 ? "IMAGE_URL_NOT_VALID" : "IMAGE_NOT_FOUND", "image_url "
                        + (hop == 0 ? "names" : "redirects to a link that names") + " no host");
            }
            String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            InetAddress target;
            try {
                target = resolve(bare, port, hop);
            } catch (Refusal r) {
                return new Fetched(null, r.rejection);
            }
            if (Thread.currentThread().isInterrupted() || System.nanoTime() > end) {
                return new Fetched(null, late());
            }
            Response r;
            try {
                r = get(uri, scheme, bare, port, target, end, open);
            } catch (SocketTimeoutException e) {
                // every connect and read waits exactly what is left of the deadline
                return new Fetched(null, late());
            } catch (TooLarge e) {
                return refused("IMAGE_FILE_SIZE_NOT_VALID", "the image is larger than " + maxBytes + " bytes");
            } catch (IOException e) {
                return new Fetched(null, System.nanoTime() > end ? late()
                        : new Rejection("IMAGE_NOT_FOUND", "the image could not be fetched from its host"
                        + (hop == 0 ? "" : " (after " + hop + " redirect" + (hop == 1 ? "" : "s") + ")")));
            } finally {
                closeQuietly(open.getAndSet(null));
            }
            if (r.status >= 300 && r.status < 400 && r.location != null) {
                if (hop == MAX_REDIRECTS) {
                    return refused("IMAGE_NOT_FOUND", "image_url redirects more than " + MAX_REDIRECTS + " times");
                }
                try {
                    uri = uri.resolve(new URI(r.location.strip()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    return refused("IMAGE_NOT_FOUND", "image_url redirects to a malformed link");
                }
                continue;
            }
            if (r.status != 200) {
                return refused("IMAGE_NOT_FOUND", "image_url answered HTTP " + r.status);
            }
            return new Fetched(r.body, null);
        }
    }

    private static final class Refusal extends Exception {
        final transient Rejection rejection;

        Refusal(Rejection rejection) {
            super(null, null, false, false);
            this.rejection = rejection;
        }
    }

    /** Every address of the host must be one the policy allows; the first is then used, and only it. */
    private InetAddress resolve(String host, int port, int hop) throws Refusal {
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException | SecurityException e) {
            throw new Refusal(new Rejection("IMAGE_NOT_FOUND", "the image's host name does not resolve"));
        }
        if (all.length == 0) {
            throw new Refusal(new Rejection("IMAGE_NOT_FOUND", "the image's host name does not resolve"));
        }
        boolean byName = policy.allowsHost(host, port);
        for (InetAddress a : all) {
            if (!byName && !policy.allows(a, port)) {
                throw new Refusal(new Rejection("IMAGE_URL_NOT_ALLOWED", (hop == 0 ? "image_url points"
                        : "image_url redirects") + " to an address the image check does not fetch (loopback, "
                        + "link-local, private, multicast or unspecified); a link the provider can fetch is public "
                        + "(an internal host can be allowed with sora.validation.image-allow)"));
            }
        }
        return all[0];
    }

    private record Response(int status, String location, byte[] body) {
    }

    private static final class TooLarge extends IOException {
        TooLarge() {
            super(null, null);
        }
    }

    private Response get(URI uri, String scheme, String host, int port, InetAddress target, long end,
                         AtomicReference<Socket> open) throws IOException {
        Socket plain = new Socket(java.net.Proxy.NO_PROXY);
        open.set(plain);
        plain.connect(new InetSocketAddress(target, port), remainingMillis(end));
        Socket s = plain;
        if (scheme.equals("https")) {
            SSLSocket tls = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                    .createSocket(plain, host, port, true);
            open.set(tls);
            SSLParameters p = tls.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            if (!host.contains(":") && !host.matches("[0-9.]+")) {
                p.setServerNames(List.of(new SNIHostName(host)));
            }
            tls.setSSLParameters(p);
            tls.setSoTimeout(remainingMillis(end));
            tls.startHandshake();
            s = tls;
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (uri.getRawQuery() != null) {
            path += "?" + uri.getRawQuery();
        }
        boolean defaultPort = uri.getPort() == -1;
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: " + hostHeader + "\r\nUser-Agent: sora-camel image check\r\n"
                + "Accept: image/jpeg, image/png\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Timed in = new Timed(s, end);
        String statusLine = in.line();
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not HTTP");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not HTTP");
        }
        String location = null;
        long length = -1;
        boolean chunked = false;
        for (String h = in.line(); !h.isEmpty(); h = in.line()) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = h.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            switch (name) {
                case "location" -> location = value;
                case "content-length" -> {
                    try {
                        length = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("bad length");
                    }
                }
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                default -> {
                }
            }
        }
        if (status != 200) {
            return new Response(status, location, null);
        }
        if (length > maxBytes) {
            throw new TooLarge();
        }
        return new Response(status, location, chunked ? in.chunked(maxBytes + 1) : in.body(length, maxBytes + 1));
    }

    private static int remainingMillis(long end) throws SocketTimeoutException {
        long ms = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
        if (ms <= 0) {
            throw new SocketTimeoutException();
        }
        return (int) Math.min(Integer.MAX_VALUE, ms);
    }

    /** Reads from the socket, every read bounded by what is left of the deadline. */
    private static final class Timed {
        private final Socket socket;
        private final InputStream in;
        private final long end;
        private int headerBytes;

        Timed(Socket socket, long end) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.end = end;
        }

        int read() throws IOException {
            socket.setSoTimeout(remainingMillis(end));
            return in.read();
        }

        int read(byte[] b, int off, int len) throws IOException {
            socket.setSoTimeout(remainingMillis(end));
            return in.read(b, off, len);
        }

        String line() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int c = read(); c != '\n'; c = read()) {
                if (c < 0) {
                    throw new IOException("cut off");
                }
                if (++headerBytes > MAX_HEADER_BYTES) {
                    throw new IOException("headers too long");
                }
                if (c != '\r') {
                    line.write(c);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        /** At most {@code limit} bytes: the announced length, or up to the end of the stream. */
        byte[] body(long length, long limit) throws IOException {
            long want = length < 0 ? limit : Math.min(length, limit);
            ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(want, 64 * 1024));
            byte[] buf = new byte[8192];
            long got = 0;
            while (got < want) {
                int n = read(buf, 0, (int) Math.min(buf.length, want - got));
                if (n < 0) {
                    if (length >= 0) {
                        throw new IOException("cut off");
                    }
                    break;
                }
                out.write(buf, 0, n);
                got += n;
            }
            return out.toByteArray();
        }

        byte[] chunked(long limit) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (out.size() < limit) {
                String sizeLine = line();
                int semi = sizeLine.indexOf(';');
                long size;
                try {
                    size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).strip(), 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk");
                }
                if (size == 0) {
                    break;
                }
                long left = size;
                while (left > 0 && out.size() < limit) {
                    int n = read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("cut off");
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
                if (left == 0) {
                    line();
                }
                headerBytes = 0;
            }
            return out.toByteArray();
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing is all that is left to do
            }
        }
    }

    private static Fetched refused(String code, String message) {
        return new Fetched(null, new Rejection(code, message));
    }

    // ------------------------------------------------------------------ the image

    private Rejection checkImage(byte[] head) {
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
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

}
