package dev.soracamel.sandbox;

import java.util.Locale;

/**
 * Settings of one sandbox run. A plain mutable bean with fluent setters named like the fields, so a test
 * can write {@code new SandboxConfig().timeScale(0.02).activeTaskLimit(1)}, and getters {@code getX()}.
 *
 * <p>Every duration here is in <em>provider</em> time, the time the real Yes Ai service would experience.
 * {@link #getTimeScale()} maps it to real time, so the same rules hold at any speed.
 * {@link SandboxServer#start(SandboxConfig)} copies the values; changing the bean afterwards has no effect
 * (use the server's test controls for what may change at run time).
 */
public final class SandboxConfig {

    /** Provider's documented minimum before the first status check of a "2" task; also its fastest generation. */
    public static final double FIRST_CHECK_SECONDS_2 = 60;
    /** Same for "2.pro". */
    public static final double FIRST_CHECK_SECONDS_PRO = 300;

    private double timeScale = 1.0;
    private String token = "sandbox-token";
    private int activeTaskLimit = 3;
    private long rpoints = -1;
    private double queueSeconds = 5;
    private double generationSeconds2 = 70;
    private double generationSecondsPro = 320;
    private double jitterFraction = 0.1;
    private long randomSeed = 42;
    private double linkTtlSeconds = 3600;
    private long videoBytes = 0;
    private int port = 0;

    /** Real milliseconds per provider millisecond: 0.05 makes one provider second last 50 ms. */
    public double getTimeScale() { return timeScale; }
    public SandboxConfig timeScale(double timeScale) { this.timeScale = timeScale; return this; }

    /** The bearer token the sandbox accepts. */
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

    /** Random spread (plus or minus this fraction) applied to each task's generation time. */
    public double getJitterFraction() { return jitterFraction; }
    public SandboxConfig jitterFraction(double jitterFraction) { this.jitterFraction = jitterFraction; return this; }

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

    /** A copy, so the server keeps what it was started with. */
    SandboxConfig copy() {
        return new SandboxConfig().timeScale(timeScale).token(token).activeTaskLimit(activeTaskLimit)
                .rpoints(rpoints).queueSeconds(queueSeconds).generationSeconds2(generationSeconds2)
                .generationSecondsPro(generationSecondsPro).jitterFraction(jitterFraction)
                .randomSeed(randomSeed).linkTtlSeconds(linkTtlSeconds).videoBytes(videoBytes)
                .port(port);
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
        require(jitterFraction >= 0 && jitterFraction < 1, "jitterFraction must be in [0, 1)");
        require(linkTtlSeconds > 0, "linkTtlSeconds must be > 0");
        require(videoBytes >= 0, "videoBytes must be >= 0");
        require(port >= 0 && port <= 65535, "port must be in [0, 65535]");
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
