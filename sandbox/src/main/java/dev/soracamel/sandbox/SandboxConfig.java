package dev.soracamel.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Settings of one sandbox run. A plain mutable bean with fluent setters named like the fields, so a test
 * can write {@code new SandboxConfig().timeScale(0.02).activeTaskLimit(1)}, and getters {@code getX()}.
 *
 * <p>Every duration here is in <em>provider</em> time, the time the real service would experience.
 * {@link #getTimeScale()} maps it to real time, so the same rules hold at any speed.
 * {@link SandboxServer#start(SandboxConfig)} copies the values; changing the bean afterwards has no effect
 * (use the server's test controls for what may change at run time).
 */
public final class SandboxConfig {

    /** Provider's documented minimum before the first status check of a "2" task; also its fastest generation. */
    public static final double FIRST_CHECK_SECONDS_2 = 60;
    /** Same for "2.pro". */
    public static final double FIRST_CHECK_SECONDS_PRO = 300;
    /**
     * /v1/videos: no status check of a sora-2 task (or an alias's) before this; also its fastest generation.
     * Seed 001 gives 1-3 minutes for a 4 s clip; the pipeline's catalog waits 30 s.
     */
    public static final double FIRST_CHECK_SECONDS_SORA2 = 30;
    /** Same for sora-2-pro. */
    public static final double FIRST_CHECK_SECONDS_SORA2_PRO = 60;

    /** A further account of the sandbox: its token, active-task limit and /v1/videos dialect; credit unlimited. */
    public record Account(String token, int activeTaskLimit, Dialect dialect) {
    }

    private double timeScale = 1.0;
    private String token = "sandbox-token";
    private int activeTaskLimit = 3;
    private long rpoints = -1;
    private double queueSeconds = 5;
    private double generationSeconds2 = 70;
    private double generationSecondsPro = 320;
    private double generationSecondsSora2 = 90;
    private double generationSecondsSora2Pro = 180;
    private double pollAfterSeconds = 10;
    private Dialect dialect = Dialect.OPENAI;
    private final List<Account> accounts = new ArrayList<>();
    private double jitterFraction = 0.1;
    private double generationFactor1080 = 1.0;
    private double generationFactor15s = 1.0;
    private long randomSeed = 42;
    private double linkTtlSeconds = 3600;
    private long videoBytes = 0;
    private int port = 0;
    private double submitDelayMs = 0;
    private double statusDelayMs = 0;

    /** Real milliseconds per provider millisecond: 0.05 makes one provider second last 50 ms. */
    public double getTimeScale() { return timeScale; }
    public SandboxConfig timeScale(double timeScale) { this.timeScale = timeScale; return this; }

    /** The bearer token of the default account, the one every single-token control acts on. */
    public String getToken() { return token; }
    public SandboxConfig token(String token) { this.token = token; return this; }

    /** Tasks allowed in status 0 or 1 at once: Demo 1, Micro 2, Start 3, Standard 5, VIP 10. */
    public int getActiveTaskLimit() { return activeTaskLimit; }
    public SandboxConfig activeTaskLimit(int activeTaskLimit) { this.activeTaskLimit = activeTaskLimit; return this; }

    /** Sets {@link #activeTaskLimit(int)} from a tariff name (demo, micro, start, standard, vip) or a number. */
    public SandboxConfig tariff(String tariff) { return activeTaskLimit(tariffLimit(tariff)); }

    /** Credit: every created task costs one; -1 means unlimited. */
    public long getRpoints() { return rpoints; }
    public SandboxConfig rpoints(long rpoints) { this.rpoints = rpoints; return this; }

    /** Provider seconds a new task stays "in queue" (status 0). */
    public double getQueueSeconds() { return queueSeconds; }
    public SandboxConfig queueSeconds(double queueSeconds) { this.queueSeconds = queueSeconds; return this; }

    /** Provider seconds from creation to the final status for version "2"; at least 60. */
    public double getGenerationSeconds2() { return generationSeconds2; }
    public SandboxConfig generationSeconds2(double s) { this.generationSeconds2 = s; return this; }

    /** Provider seconds from creation to the final status for version "2.pro"; at least 300. */
    public double getGenerationSecondsPro() { return generationSecondsPro; }
    public SandboxConfig generationSecondsPro(double s) { this.generationSecondsPro = s; return this; }

    /** /v1/videos: provider seconds from creation to the final status for sora-2 and its aliases; at least 30. */
    public double getGenerationSecondsSora2() { return generationSecondsSora2; }
    public SandboxConfig generationSecondsSora2(double s) { this.generationSecondsSora2 = s; return this; }

    /** /v1/videos: provider seconds from creation to the final status for sora-2-pro; at least 60. */
    public double getGenerationSecondsSora2Pro() { return generationSecondsSora2Pro; }
    public SandboxConfig generationSecondsSora2Pro(double s) { this.generationSecondsSora2Pro = s; return this; }

    /** /v1/videos: provider seconds advised between polls, sent as {@code openai-poll-after-ms} in real ms. */
    public double getPollAfterSeconds() { return pollAfterSeconds; }
    public SandboxConfig pollAfterSeconds(double s) { this.pollAfterSeconds = s; return this; }

    /** How the default account's /v1/videos answers are worded. */
    public Dialect getDialect() { return dialect; }
    public SandboxConfig dialect(Dialect dialect) { this.dialect = dialect; return this; }

    /** Accounts besides the default one, each with a token of its own; see {@link #account}. */
    public List<Account> getAccounts() { return List.copyOf(accounts); }

    /** Adds an account with unlimited credit; {@link SandboxServer#addAccount} does the same at run time. */
    public SandboxConfig account(String token, int activeTaskLimit, Dialect dialect) {
        accounts.add(new Account(token, activeTaskLimit, dialect));
        return this;
    }

    /** Random spread (plus or minus this fraction) applied to each task's generation time. */
    public double getJitterFraction() { return jitterFraction; }
    public SandboxConfig jitterFraction(double jitterFraction) { this.jitterFraction = jitterFraction; return this; }

    /**
     * How much longer a Yes Ai task takes at 1080 than at 720, and at 15 s than at 10 s (multiplied together):
     * classes of task with generation times of their own, for the learned status schedule. 1: the version alone
     * decides.
     */
    public double getGenerationFactor1080() { return generationFactor1080; }
    public SandboxConfig generationFactor1080(double f) { this.generationFactor1080 = f; return this; }
    public double getGenerationFactor15s() { return generationFactor15s; }
    public SandboxConfig generationFactor15s(double f) { this.generationFactor15s = f; return this; }

    /** Seed of the generator behind the jitter, so runs repeat. */
    public long getRandomSeed() { return randomSeed; }
    public SandboxConfig randomSeed(long randomSeed) { this.randomSeed = randomSeed; return this; }

    /** Provider seconds a result link lives after completion (the seed: 60 minutes). */
    public double getLinkTtlSeconds() { return linkTtlSeconds; }
    public SandboxConfig linkTtlSeconds(double linkTtlSeconds) { this.linkTtlSeconds = linkTtlSeconds; return this; }

    /** Size of each served MP4: 0 serves the sample as is, more pads it to exactly this many bytes. */
    public long getVideoBytes() { return videoBytes; }
    public SandboxConfig videoBytes(long videoBytes) { this.videoBytes = videoBytes; return this; }

    /** Port on 127.0.0.1; 0 picks a free one. */
    public int getPort() { return port; }
    public SandboxConfig port(int port) { this.port = port; return this; }

    /**
     * Provider milliseconds every submit's answer is held back (Yes Ai's and POST /v1/videos): the request is
     * seen, counted and created when it arrives, only its answer is late, as with a slow provider. 0: at once.
     */
    public double getSubmitDelayMs() { return submitDelayMs; }
    public SandboxConfig submitDelayMs(double ms) { this.submitDelayMs = ms; return this; }

    /** Provider milliseconds every status check's answer is held back (Yes Ai's and GET /v1/videos/{id}). */
    public double getStatusDelayMs() { return statusDelayMs; }
    public SandboxConfig statusDelayMs(double ms) { this.statusDelayMs = ms; return this; }

    /** A copy, so the server keeps what it was started with. */
    SandboxConfig copy() {
        SandboxConfig c = new SandboxConfig().timeScale(timeScale).token(token).activeTaskLimit(activeTaskLimit)
                .rpoints(rpoints).queueSeconds(queueSeconds).generationSeconds2(generationSeconds2)
                .generationSecondsPro(generationSecondsPro).generationSecondsSora2(generationSecondsSora2)
                .generationSecondsSora2Pro(generationSecondsSora2Pro).pollAfterSeconds(pollAfterSeconds)
                .dialect(dialect).jitterFraction(jitterFraction)
                .randomSeed(randomSeed).linkTtlSeconds(linkTtlSeconds).videoBytes(videoBytes)
                .port(port).submitDelayMs(submitDelayMs).statusDelayMs(statusDelayMs)
                .generationFactor1080(generationFactor1080).generationFactor15s(generationFactor15s);
        c.accounts.addAll(accounts);
        return c;
    }

    /** Rejects settings that would make the simulation say something the provider never would. */
    void validate() {
        require(timeScale > 0 && Double.isFinite(timeScale), "timeScale must be > 0");
        require(token != null && !token.isBlank(), "token must not be blank");
        require(activeTaskLimit >= 0, "activeTaskLimit must be >= 0");
        require(rpoints >= -1, "rpoints must be >= -1");
        require(queueSeconds >= 0, "queueSeconds must be >= 0");
        // The seed: generation is physically never faster than the first-check minimum.
        require(generationSeconds2 >= FIRST_CHECK_SECONDS_2, "generationSeconds2 must be >= 60");
        require(generationSecondsPro >= FIRST_CHECK_SECONDS_PRO, "generationSecondsPro must be >= 300");
        require(generationSecondsSora2 >= FIRST_CHECK_SECONDS_SORA2, "generationSecondsSora2 must be >= 30");
        require(generationSecondsSora2Pro >= FIRST_CHECK_SECONDS_SORA2_PRO, "generationSecondsSora2Pro must be >= 60");
        require(pollAfterSeconds > 0, "pollAfterSeconds must be > 0");
        require(generationFactor1080 >= 1 && generationFactor15s >= 1, "generation factors must be >= 1");
        require(dialect != null, "dialect must be set");
        List<String> tokens = new ArrayList<>(List.of(token));
        for (Account a : accounts) {
            require(a.token() != null && !a.token().isBlank(), "an account's token must not be blank");
            require(!tokens.contains(a.token()), "two accounts have the token " + a.token());
            require(a.activeTaskLimit() >= 0, "an account's activeTaskLimit must be >= 0");
            require(a.dialect() != null, "an account's dialect must be set");
            tokens.add(a.token());
        }
        require(jitterFraction >= 0 && jitterFraction < 1, "jitterFraction must be in [0, 1)");
        require(linkTtlSeconds > 0, "linkTtlSeconds must be > 0");
        require(videoBytes >= 0, "videoBytes must be >= 0");
        require(port >= 0 && port <= 65535, "port must be in [0, 65535]");
        require(submitDelayMs >= 0 && Double.isFinite(submitDelayMs), "submitDelayMs must be >= 0");
        require(statusDelayMs >= 0 && Double.isFinite(statusDelayMs), "statusDelayMs must be >= 0");
    }

    static int tariffLimit(String tariff) {
        switch (tariff.trim().toLowerCase(Locale.ROOT)) {
            case "demo": return 1;
            case "micro": return 2;
            case "start": return 3;
            case "standard": return 5;
            case "vip": return 10;
            default:
                try {
                    return Integer.parseInt(tariff.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("unknown tariff: " + tariff
                            + " (demo, micro, start, standard, vip or a number)");
                }
        }
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
