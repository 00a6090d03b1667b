package dev.soracamel.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import dev.soracamel.SoraPipeline;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraOptionsSource;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.s3.S3Layout;
import org.apache.camel.CamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;
import org.apache.camel.util.URISupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the pipeline standalone with Camel Main: routes from {@code routes/*.yaml}, settings from
 * {@code config/application.properties} (in the jar under {@code dev/soracamel/app/}, not at its root), read over by
 * the file named in {@code -Dsora.config} when given (the packaged app's launcher names its editable copy). With
 * {@code sora.exit-when-idle=true} (the sandbox quick start) it stops once the inbox is empty and every job is stored
 * or dead-lettered, and says where they went. A start that fails says why in one line on stderr and exits with 1.
 */
public final class Application {

    /** The standalone run's settings and logging, kept off the jar's root so that a host embedding it never reads them. */
    static final String SETTINGS = "classpath:dev/soracamel/app/application.properties";
    static final String LOGGING = "dev/soracamel/app/log4j2.properties";
    /**
     * A settings file of the operator's, read after the jar's: what it sets wins, what it leaves out keeps the
     * default, so an edited copy of an older release still starts.
     */
    static final String SETTINGS_FILE = "sora.config";

    static {
        // before the first logger: a -Dlog4j2.configurationFile of the operator's wins
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", LOGGING);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger("sora.summary");

    private Application() {
    }

    public static void main(String[] args) throws Exception {
        String settings = settingsLocations();
        if (settings == null) {
            System.exit(1);
        }
        // the one configuration class named, not found by scanning the package: the scan cost a quarter second of start-up
        Main main = new Main();
        main.setDefaultPropertyPlaceholderLocation(settings);
        main.configure().addConfiguration(SoraConfiguration.class);
        main.addMainListener(new MainListenerSupport() {
            @Override
            public void beforeInitialize(BaseMainSupport m) {
                // camel.server.* names sora.* defaults as placeholders and is read before any pipeline installs;
                // Camel's own discovery of the source misses it under mvn exec:java's class loader
                SoraOptionsSource.addTo(m.getCamelContext());
            }

            @Override
            public void afterStart(BaseMainSupport m) {
                CamelContext ctx = m.getCamelContext();
                if (new Props(ctx.getPropertiesComponent()::resolveProperty).bool("sora.exit-when-idle")) {
                    Thread t = new Thread(() -> exitWhenIdle(main, ctx), "sora-exit-when-idle");
                    t.setDaemon(true);
                    t.start();
                }
            }
        });
        try {
            main.run(args);
        } catch (Exception e) {
            cannotStart(e);
            // Camel's shutdown hook would otherwise report the exit as a SIGTERM
            main.completed();
            System.exit(1);
        }
    }

    /** The jar's settings, then the operator's file if one is named; null (and a line on stderr) if it is missing. */
    static String settingsLocations() {
        String file = System.getProperty(SETTINGS_FILE, "").strip();
        if (file.isEmpty()) {
            return SETTINGS;
        }
        Path path = Path.of(file).toAbsolutePath().normalize();
        if (!Files.isReadable(path)) {
            System.err.println("sora-camel: cannot start: the settings file " + path + " (-D" + SETTINGS_FILE
                    + ") cannot be read");
            return null;
        }
        // the first location that has a key wins
        return "file:" + path + "," + SETTINGS;
    }

    /**
     * A setting that is missing or wrong is the operator's to fix, and one sentence says what: a stack trace
     * under it would only bury that sentence. Anything else is a fault of ours, and its trace goes to the log.
     */
    private static void cannotStart(Exception e) {
        Throwable setting = null;
        for (Throwable t = e; t != null && setting == null; t = t.getCause()) {
            if ((t instanceof IllegalStateException || t instanceof IllegalArgumentException) && t.getMessage() != null) {
                setting = t;
            }
        }
        if (setting == null) {
            LoggerFactory.getLogger(Application.class).error("cannot start", e);
        }
        String line = setting != null ? setting.getMessage() : e.getMessage() != null ? e.getMessage() : e.toString();
        System.err.println("sora-camel: cannot start: " + line.replace('\n', ' ').replace('\r', ' '));
    }

    private static void exitWhenIdle(Main main, CamelContext ctx) {
        SoraPipeline pipeline = ctx.getRegistry().lookupByNameAndType("soraPipeline", SoraPipeline.class);
        // only the folder can be watched for emptiness cheaply; with the S3 intake alone, idle jobs decide
        boolean watchFolder = new Props(ctx.getPropertiesComponent()::resolveProperty).bool("sora.intake.folder.enabled");
        int quiet = 0;
        try {
            while (quiet < 3) {
                Thread.sleep(1000);
                quiet = pipeline.board().queries().idle() && (!watchFolder || inboxEmpty(pipeline.settings().inbox())) ? quiet + 1 : 0;
            }
        } catch (InterruptedException e) {
            return;
        }
        summary(pipeline, ctx);
        main.completed();
    }

    private static boolean inboxEmpty(Path inbox) {
        try (Stream<Path> files = Files.list(inbox)) {
            return files.noneMatch(f -> Files.isRegularFile(f) && !f.getFileName().toString().startsWith("."));
        } catch (IOException e) {
            return true;
        }
    }

    private static void summary(SoraPipeline pipeline, CamelContext ctx) {
        var s = pipeline.settings();
        long stored = pipeline.board().queries().counts().get("stored") instanceof Integer i ? i : 0;
        LOG.info("==== all requests settled: {} ====", pipeline.board().queries().counts());
        for (Job job : pipeline.board().queries().list(java.util.EnumSet.of(JobState.STORED), 10_000)) {
            LOG.info("  stored        {}  ->  {}", job.requestId, job.storedLocation);
        }
        for (Job job : pipeline.board().queries().list(java.util.EnumSet.of(JobState.DEAD), 10_000)) {
            LOG.info("  dead-lettered {}  ->  {}: {}", job.requestId, job.deadCode, job.deadLetter.message());
        }
        for (var r : pipeline.board().queries().rejected()) {
            LOG.info("  rejected      {}  ->  {}: {}", r.requestId(), r.code(), r.message());
        }
        LOG.info("videos: {}   dead letters (with .error.json reasons): {}   ({} stored)",
                where(ctx, "sora.store", s.outbox()), where(ctx, "sora.dead-letter", s.deadLetterFolder()), stored);
    }

    /** The folder, or s3://bucket/prefix when {@code <key>.endpoint} is the S3 one. */
    private static String where(CamelContext ctx, String key, Path folder) {
        Props p = new Props(ctx.getPropertiesComponent()::resolveProperty);
        // not set: the default endpoint, the folder
        String endpoint = p.find(key + ".endpoint").orElse("file:");
        if (endpoint.startsWith("aws2-s3:")) {
            String prefix = key + ".s3.prefix";
            return "s3://" + S3Layout.bucketOf(endpoint) + "/" + p.rawOrDefault(prefix);
        }
        return endpoint.startsWith("file:") ? folder.toAbsolutePath().toString() : URISupport.sanitizeUri(endpoint);
    }
}
