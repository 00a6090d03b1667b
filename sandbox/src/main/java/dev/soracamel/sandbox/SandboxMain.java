package dev.soracamel.sandbox;

import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a sandbox (Yes Ai and /v1/videos) on its own for scripts and the no-token quick start. Prints the base URL alone on the
 * first line of standard output, so a script can read it, and runs until killed.
 *
 * <pre>
 * --port N          port on 127.0.0.1 (default 0: any free port)
 * --time-scale X    real ms per provider ms (default 1.0)
 * --tariff T        demo|micro|start|standard|vip or a number of active tasks (default start = 3)
 * --token T         accepted bearer token (default sandbox-token)
 * --rpoints N       credit, -1 unlimited (default -1)
 * --video-bytes N   size of each served MP4, 0 = the small sample (default 0)
 * --link-ttl S      provider seconds a result link lives (default 3600)
 * --seed N          random seed of the generation-time jitter (default 42)
 * --dialect D       openai|gateway: how the default account's /v1/videos answers are worded (default openai)
 * --account T:N[:D] a further account: token T, N active tasks, dialect D (default openai); repeatable
 * --submit-delay-ms N  provider ms each submit's answer is held back (default 0)
 * --status-delay-ms N  provider ms each status check's answer is held back (default 0)
 * </pre>
 */
public final class SandboxMain {

    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        SandboxConfig config;
        try {
            config = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sandbox: " + e.getMessage());
            System.err.println("usage: SandboxMain [--port N] [--time-scale X] [--tariff T] [--token T]"
                    + " [--rpoints N] [--video-bytes N] [--link-ttl S] [--seed N] [--dialect openai|gateway]"
                    + " [--account TOKEN:LIMIT[:gateway]]... [--submit-delay-ms N] [--status-delay-ms N]");
            System.exit(2);
            return;
        }
        SandboxServer server = SandboxServer.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "yesai-sandbox-shutdown"));
        System.out.println(server.baseUrl());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    static SandboxConfig parse(String[] args) {
        SandboxConfig config = new SandboxConfig();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + flag);
            }
            String value = args[++i];
            try {
                switch (flag) {
                    case "--port": config.port(Integer.parseInt(value)); break;
                    case "--time-scale": config.timeScale(Double.parseDouble(value)); break;
                    case "--tariff": config.tariff(value); break;
                    case "--token": config.token(value); break;
                    case "--rpoints": config.rpoints(Long.parseLong(value)); break;
                    case "--video-bytes": config.videoBytes(Long.parseLong(value)); break;
                    case "--link-ttl": config.linkTtlSeconds(Double.parseDouble(value)); break;
                    case "--seed": config.randomSeed(Long.parseLong(value)); break;
                    case "--dialect": config.dialect(dialect(value)); break;
                    case "--account": account(config, value); break;
                    case "--submit-delay-ms": config.submitDelayMs(Double.parseDouble(value)); break;
                    case "--status-delay-ms": config.statusDelayMs(Double.parseDouble(value)); break;
                    default: throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number after " + flag + ": " + value);
            }
        }
        config.validate();
        return config;
    }

    /** TOKEN:LIMIT[:DIALECT]; the limit may be a tariff name. A token with a colon cannot be given here. */
    private static void account(SandboxConfig config, String value) {
        String[] parts = value.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isBlank()) {
            throw new IllegalArgumentException("--account wants TOKEN:LIMIT[:openai|gateway], not " + value);
        }
        config.account(parts[0], SandboxConfig.tariffLimit(parts[1]),
                parts.length == 3 ? dialect(parts[2]) : Dialect.OPENAI);
    }

    private static Dialect dialect(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "openai": return Dialect.OPENAI;
            case "gateway": return Dialect.GATEWAY;
            default: throw new IllegalArgumentException("unknown dialect " + name + " (openai or gateway)");
        }
    }
}
