package dev.soracamel.sandbox;

import java.util.concurrent.CountDownLatch;

/**
 * Runs a sandbox on its own for scripts and the no-token quick start. Prints the base URL alone on the
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
                    + " [--rpoints N] [--video-bytes N] [--link-ttl S] [--seed N]");
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
                    default: throw new IllegalArgumentException("unknown option " + flag);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad number after " + flag + ": " + value);
            }
        }
        config.validate();
        return config;
    }
}
