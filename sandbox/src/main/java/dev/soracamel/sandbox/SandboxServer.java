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
 * An in-process simulator on 127.0.0.1 of two provider APIs: Yes Ai's Sora 2 API (seed 000) and the
 * OpenAI-compatible {@code /v1/videos} API (OpenAI's spec, seed 001's gateway). It enforces the providers'
 * documented rules strictly and counts every breach in {@link #stats()}, so a client tested against it
 * learns about limits it would otherwise meet in production. Test controls inject failures at run time.
 *
 * <p>The sandbox holds accounts by bearer token, each with its own limits, windows, tasks and counters, so
 * two provider instances pointing at one sandbox are limited apart. Both APIs serve every account.
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
        LOG.info("Sandbox (Yes Ai and /v1/videos) listening on {} (timeScale {}, task limit {}, {} account(s))",
                server.baseUrl(), config.getTimeScale(), config.getActiveTaskLimit(), 1 + config.getAccounts().size());
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

    /** The live counters, summed over all accounts; requests with a wrong token count here only. */
    public SandboxStats stats() {
        return state.stats;
    }

    /** The live counters of the account with this token. */
    public SandboxStats stats(String token) {
        return account(token).stats;
    }

    /**
     * Adds an account with its own token, active-task limit, rate windows, tasks and counters, and
     * unlimited credit; its /v1/videos answers are OpenAI's own.
     */
    public void addAccount(String token, int activeTaskLimit) {
        addAccount(token, activeTaskLimit, Dialect.OPENAI);
    }

    /** Adds an account as {@link #addAccount(String, int)} does, answering /v1/videos in {@code dialect}. */
    public void addAccount(String token, int activeTaskLimit, Dialect dialect) {
        state.addAccount(token, activeTaskLimit, -1, dialect);
    }

    /** The default account's credit left; -1 means unlimited. */
    public long rpoints() {
        return state.defaultAccount().credit();
    }

    public long rpoints(String token) {
        return account(token).credit();
    }

    /** Changes the default account's token. */
    public void setToken(String token) {
        state.setToken(state.defaultAccount(), token);
    }

    public void setActiveTaskLimit(int n) {
        state.defaultAccount().setActiveTaskLimit(n);
    }

    public void setActiveTaskLimit(String token, int n) {
        account(token).setActiveTaskLimit(n);
    }

    public void setRpoints(long n) {
        state.defaultAccount().setCredit(n);
    }

    public void setRpoints(String token, long n) {
        account(token).setCredit(n);
    }

    /**
     * The default account's next {@code count} POSTs that pass the rate window answer this error; no task is
     * created. Yes Ai answers {@code {"success":false,"message":code}}, /v1/videos OpenAI's error body with
     * {@code code} as its {@code error.code}.
     */
    public void failNextPosts(int count, int httpStatus, String code) {
        state.defaultAccount().postFailures.arm(count, httpStatus, code);
    }

    public void failNextPosts(String token, int count, int httpStatus, String code) {
        account(token).postFailures.arm(count, httpStatus, code);
    }

    /** The default account's next {@code count} status GETs that pass the rate window answer this error. */
    public void failNextStatusChecks(int count, int httpStatus, String code) {
        state.defaultAccount().statusFailures.arm(count, httpStatus, code);
    }

    public void failNextStatusChecks(String token, int count, int httpStatus, String code) {
        account(token).statusFailures.arm(count, httpStatus, code);
    }

    /**
     * The default account's next {@code count} POSTs that create a task (and are paid for) get no response:
     * the connection is closed instead, leaving the client unsure whether the task exists.
     */
    public void dropNextPostResponses(int count) {
        state.defaultAccount().dropNextPostResponses(count);
    }

    public void dropNextPostResponses(String token, int count) {
        account(token).dropNextPostResponses(count);
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

    private SandboxAccount account(String token) {
        SandboxAccount account = state.account(token);
        if (account == null) {
            throw new IllegalArgumentException("the sandbox has no account with this token");
        }
        return account;
    }

    private void bind(int wantedPort) throws IOException {
        synchronized (bindLock) {
            HttpServer server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), wantedPort), 64);
            long submitDelay = realNanos(state.config.getSubmitDelayMs());
            long statusDelay = realNanos(state.config.getStatusDelayMs());
            server.createContext(SubmitHandler.PATH,
                    new SlowAnswers(new SubmitHandler(state, images), ex -> submitDelay));
            server.createContext(StatusHandler.PATH,
                    new SlowAnswers(new StatusHandler(state, this::baseUrl), ex -> statusDelay));
            server.createContext(DownloadHandler.PATH, new DownloadHandler(state));
            server.createContext(VideosHandler.PREFIX, new SlowAnswers(
                    new VideosHandler(new VideoCreate(state, this::baseUrl),
                            new VideoRetrieve(state, this::baseUrl), new VideoContent(state),
                            new VideoList(state, this::baseUrl)),
                    ex -> videosDelay(ex, submitDelay, statusDelay)));
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

    private long realNanos(double providerMs) {
        return Math.round(providerMs * state.config.getTimeScale() * 1_000_000);
    }

    /** A create is a submit, a retrieve a status check; downloads and the list are answered at once. */
    private static long videosDelay(HttpExchange ex, long submitDelay, long statusDelay) {
        String path = ex.getRequestURI().getRawPath();
        if ("POST".equals(ex.getRequestMethod())) {
            return path.equals(VideosHandler.VIDEOS) ? submitDelay : 0;
        }
        return path.startsWith(VideosHandler.VIDEOS + "/") && !path.endsWith("/content") ? statusDelay : 0;
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
