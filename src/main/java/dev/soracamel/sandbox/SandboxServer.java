package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-process simulator of the Yes Ai Sora 2 API (seed 000) on 127.0.0.1. It enforces the provider's
 * documented rules strictly and counts every breach in {@link #stats()}, so a client tested against it
 * learns about limits it would otherwise meet in production. Test controls inject failures at run time.
 */
public final class SandboxServer implements AutoCloseable {

    static final String SAMPLE_RESOURCE = "/sandbox/sample.mp4";
    private static final Logger LOG = LoggerFactory.getLogger(SandboxServer.class);
    private static final String NODELAY = "sun.net.httpserver.nodelay";

    static {
        // The JDK server writes headers and body as two segments; with Nagle on, the body waits for the
        // client's delayed ACK and every answer takes 40 ms. The JDK reads this switch once, when the first
        // HttpServer of the JVM is made, so it only helps if no other one was made before the sandbox.
        if (System.getProperty(NODELAY) == null) {
            System.setProperty(NODELAY, "true");
        }
    }

    private final SandboxState state;
    private final ExecutorService executor;
    private final ImageProbe images;
    private final Object bindLock = new Object();
    private HttpServer http;
    private int port;
    private boolean closed;

    private SandboxServer(SandboxState state) {
        this.state = state;
        this.executor = Executors.newCachedThreadPool(daemonThreads());
        this.images = new ImageProbe(executor);
    }

    /** Starts a sandbox on 127.0.0.1 with a copy of {@code cfg}. */
    public static SandboxServer start(SandboxConfig cfg) throws IOException {
        SandboxConfig config = cfg.copy();
        config.validate();
        SandboxServer server = new SandboxServer(new SandboxState(config, loadSample()));
        try {
            server.bind(config.getPort());
        } catch (IOException | RuntimeException e) {
            server.executor.shutdownNow();
            throw e;
        }
        LOG.info("Yes Ai sandbox listening on {} (timeScale {}, task limit {})",
                server.baseUrl(), config.getTimeScale(), config.getActiveTaskLimit());
        return server;
    }

    public int port() {
        synchronized (bindLock) {
            return port;
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /** The live counters. */
    public SandboxStats stats() {
        return state.stats;
    }

    /** Credit left; -1 means unlimited. */
    public long rpoints() {
        return state.rpoints();
    }

    public void setToken(String token) {
        state.setToken(token);
    }

    public void setActiveTaskLimit(int n) {
        state.setActiveTaskLimit(n);
    }

    public void setRpoints(long n) {
        state.setRpoints(n);
    }

    /** The next {@code count} POSTs that pass the rate window answer this error; no task is created. */
    public void failNextPosts(int count, int httpStatus, String code) {
        state.postFailures.arm(count, httpStatus, code);
    }

    /** The next {@code count} status GETs that pass the rate window answer this error. */
    public void failNextStatusChecks(int count, int httpStatus, String code) {
        state.statusFailures.arm(count, httpStatus, code);
    }

    /**
     * The next {@code count} POSTs that create a task (and are paid for) get no response: the connection is
     * closed instead, leaving the client unsure whether the task exists.
     */
    public void dropNextPostResponses(int count) {
        state.dropNextPostResponses(count);
    }

    /**
     * While refusing, nothing listens on the port, so connects fail as with a provider that is down; open
     * connections are cut. Accepting again rebinds the same port.
     */
    public void refuseConnections(boolean refuse) {
        synchronized (bindLock) {
            if (closed) {
                return;
            }
            if (refuse && http != null) {
                http.stop(0);
                http = null;
            } else if (!refuse && http == null) {
                try {
                    bind(port);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not rebind port " + port, e);
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (bindLock) {
            if (closed) {
                return;
            }
            closed = true;
            if (http != null) {
                http.stop(0);
                http = null;
            }
        }
        executor.shutdownNow();
    }

    private void bind(int wantedPort) throws IOException {
        synchronized (bindLock) {
            HttpServer server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 64);
            server.createContext(SubmitHandler.PATH, new SubmitHandler(state, images));
            server.createContext(StatusHandler.PATH, new StatusHandler(state, this::baseUrl));
            server.createContext(DownloadHandler.PATH, new DownloadHandler(state));
            server.createContext("/sandbox/stats", exchange -> {
                try (exchange) {
                    byte[] json = state.stats.toJson().getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
                    exchange.sendResponseHeaders(200, json.length);
                    exchange.getResponseBody().write(json);
                }
            });
            server.createContext("/", new ApiHandler() {
                @Override
                void handleApi(HttpExchange exchange) throws ApiException {
                    throw new ApiException(ApiError.NOT_FOUND);
                }
            });
            server.setExecutor(executor);
            server.start();
            http = server;
            port = server.getAddress().getPort();
        }
    }

    private static byte[] loadSample() throws IOException {
        try (InputStream in = SandboxServer.class.getResourceAsStream(SAMPLE_RESOURCE)) {
            if (in == null) {
                throw new IOException("missing classpath resource " + SAMPLE_RESOURCE);
            }
            return in.readAllBytes();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "yesai-sandbox-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
