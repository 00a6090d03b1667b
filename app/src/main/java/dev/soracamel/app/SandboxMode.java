package dev.soracamel.app;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;

import dev.soracamel.config.ProviderSettings;
import dev.soracamel.config.Props;
import dev.soracamel.sandbox.Dialect;
import dev.soracamel.sandbox.SandboxConfig;
import dev.soracamel.sandbox.SandboxServer;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides, loudly, whether this run talks to a real provider or to the built-in sandbox. Only when asked for
 * ({@code sora.sandbox.enabled=true}; the Maven quick start asks) the sandbox starts on 127.0.0.1, every
 * provider is pointed at it, and the provider schedule is scaled by {@code sora.sandbox.time-scale} on both
 * sides, so the same rules play out in seconds. Nothing in sandbox mode is paid. Otherwise a provider without
 * a token stops the start, never a silent simulation.
 */
final class SandboxMode {

    private static final Logger LOG = LoggerFactory.getLogger("sora.mode");

    private SandboxMode() {
    }

    /** @return whether the sandbox runs; if not, {@link #announceLive} says so once the pipeline is installed */
    static boolean applyIfWanted(CamelContext ctx) throws Exception {
        PropertiesComponent pc = ctx.getPropertiesComponent();
        Props p = new Props(pc::resolveProperty);
        String[] providers = providers(p);
        String main = p.string("sora.default-provider", providers[0]);
        String mode = p.string("sora.sandbox.enabled");
        boolean hasToken = p.find("sora.provider." + main + ".token").isPresent();
        if (!"true".equalsIgnoreCase(mode) && !"false".equalsIgnoreCase(mode)) {
            // "auto" once meant "simulate when no token is set": a misspelt token variable then stored sample
            // videos for real requests and archived them as done. The simulator runs only when asked for.
            throw new IllegalStateException("sora.sandbox.enabled=" + mode + ": say true (run on the built-in "
                    + "simulator, nothing is paid) or false (a real provider, with its token)");
        }
        if (!"true".equalsIgnoreCase(mode)) {
            return false;
        }
        double scale = p.decimal("sora.sandbox.time-scale");
        SandboxConfig cfg = new SandboxConfig()
                .dialect(dialect(p, main))
                .timeScale(scale)
                .activeTaskLimit(p.integer("sora.sandbox.active-tasks"))
                .queueSeconds(p.decimal("sora.sandbox.queue-seconds"))
                .generationSeconds2(p.decimal("sora.sandbox.generation-seconds-2"))
                .generationSecondsPro(p.decimal("sora.sandbox.generation-seconds-pro"))
                .submitDelayMs(p.decimal("sora.sandbox.submit-delay-ms"))
                .statusDelayMs(p.decimal("sora.sandbox.status-delay-ms"))
                .port(p.integer("sora.sandbox.port"));
        SandboxServer server = SandboxServer.start(cfg);
        ctx.getRegistry().bind("soraSandbox", server);
        ctx.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                server.close();
            }
        });

        pc.addOverrideProperty("sora.time-scale", String.valueOf(scale));
        // One simulated account per provider, as each real provider is its own account with its own limits:
        // the default provider is the sandbox's default account, the others mirror their tariff.
        for (String name : providers) {
            String token = cfg.getToken();
            if (!name.equals(main)) {
                token = cfg.getToken() + "-" + name;
                String tariffKey = "sora.provider." + name + ".tariff";
                server.addAccount(token, ProviderSettings.activeTasks(p.string(tariffKey), tariffKey),
                        dialect(p, name));
            }
            pc.addOverrideProperty("sora.provider." + name + ".base-url", server.baseUrl());
            pc.addOverrideProperty("sora.provider." + name + ".token", token);
        }
        pc.addOverrideProperty("sora.exit-when-idle", p.string("sora.sandbox.exit-when-idle"));

        LOG.warn("==== SANDBOX MODE, asked for by sora.sandbox.enabled=true{}. Requests go to the built-in provider "
                        + "simulator at {}; its clock and our schedule run x{} ({} s of provider time pass in 1 s); "
                        + "nothing is paid. For the real API: sora.sandbox.enabled=false and a token "
                        + "(SORA_YESAI_TOKEN). ====",
                hasToken ? " (the configured token is not used)" : "", server.baseUrl(), scale, Math.round(1 / scale));
        seedExamples(p);
        return true;
    }

    /**
     * The live banner, logged only after the pipeline accepted its settings: a start refused for a missing token
     * should not first announce paid submits.
     */
    static void announceLive(CamelContext ctx) {
        Props p = new Props(ctx.getPropertiesComponent()::resolveProperty);
        StringBuilder where = new StringBuilder();
        for (String name : providers(p)) {
            where.append(where.isEmpty() ? "" : ", ").append(name).append(" at ")
                    .append(p.find("sora.provider." + name + ".base-url").orElse("?"));
        }
        LOG.warn("==== LIVE MODE: {}; every submit to a real provider is paid ====", where);
    }

    private static String[] providers(Props p) {
        return Arrays.stream(p.string("sora.providers").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toArray(String[]::new);
    }

    /** How the sandbox words a provider's /v1/videos answers: like OpenAI (default) or like a gateway. */
    private static Dialect dialect(Props p, String provider) {
        String d = p.string("sora.sandbox.dialect." + provider);
        return "gateway".equalsIgnoreCase(d) ? Dialect.GATEWAY : Dialect.OPENAI;
    }

    /** The quick start processes the bundled examples: copy them into the inbox. */
    private static void seedExamples(Props p) throws IOException {
        String examples = p.string("sora.sandbox.examples");
        Path dir = Path.of(examples);
        if (examples.isBlank() || !Files.isDirectory(dir)) {
            return;
        }
        if (!p.bool("sora.intake.folder.enabled")) {
            LOG.info("the inbox folder is not read (sora.intake.folder.enabled=false): examples from {} are not copied", dir);
            return;
        }
        Path inbox = Path.of(p.string("sora.inbox"));
        Files.createDirectories(inbox);
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                // copy under a temporary name, then rename: the intake never sees a half-written file
                Path tmp = inbox.resolve(f.getFileName() + ".tmp");
                Files.copy(f, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, inbox.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                n++;
            }
        }
        LOG.info("copied {} example requests from {} into the inbox {}", n, dir, inbox);
    }
}
