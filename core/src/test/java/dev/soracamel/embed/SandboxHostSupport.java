package dev.soracamel.embed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.function.BooleanSupplier;

import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A host application under test: its own folder under target/test-work, the provider simulator on 127.0.0.1 with
 * its clock scaled by {@link #SCALE}, and a plain CamelContext the test configures and starts. Everything is
 * stopped after each test.
 */
public abstract class SandboxHostSupport {

    /** One provider second lasts 10 ms, on both sides: a pipeline's {@code time-scale} must say the same. */
    public static final double SCALE = 0.01;

    protected Path dir;
    protected SandboxServer sandbox;
    protected CamelContext ctx;
    /** A Camel Main host, for the tests that start one instead of the plain context. */
    protected Main main;

    @BeforeEach
    void startSandboxHost() throws Exception {
        Path base = Files.createDirectories(Path.of("target", "test-work"));
        dir = Files.createTempDirectory(base, getClass().getSimpleName() + "-").toAbsolutePath();
        sandbox = SandboxServer.start(new SandboxConfig().timeScale(SCALE).activeTaskLimit(2));
        accounts(sandbox);
        ctx = new DefaultCamelContext();
    }

    /** More simulated accounts the test's pipelines use, beside the default {@code sandbox-token} (2 slots). */
    protected void accounts(SandboxServer sandbox) {
    }

    @AfterEach
    void stopSandboxHost() {
        // the host first, while the simulator still answers its in-flight calls
        if (main != null) {
            main.stop();
        }
        if (ctx != null) {
            ctx.stop();
        }
        sandbox.close();
    }

    /** Waits for {@code done}, failing the test after {@code timeout}. */
    protected static void await(BooleanSupplier done, Duration timeout) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!done.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("not done within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    /**
     * What a host writes for pipeline {@code name} on the simulator's default Yes Ai account: its job store in the
     * test's folder, no inbox folder of its own, no image check (no network), short ticks and retry delays.
     */
    protected Properties yesAiPipeline(String name) {
        Properties p = new Properties();
        p.put(name + ".work", dir.resolve(name + "-work").toString());
        p.put(name + ".time-scale", String.valueOf(SCALE));
        p.put(name + ".provider.yesai.base-url", sandbox.baseUrl());
        p.put(name + ".provider.yesai.token", "sandbox-token");
        p.put(name + ".provider.yesai.tariff", "2");
        p.put(name + ".validation.check-image", "false");
        p.put(name + ".intake.folder.enabled", "false");
        p.put(name + ".tick-ms", "5");
        p.put(name + ".download.retry-delay-ms", "50");
        return p;
    }
}
