package dev.soracamel;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.deadletter.DeadLetterStep;
import dev.soracamel.flow.DownloadStep;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.PollStep;
import dev.soracamel.flow.ResumeStep;
import dev.soracamel.flow.StoreStep;
import dev.soracamel.flow.SubmitStep;
import dev.soracamel.housekeeping.Retention;
import dev.soracamel.intake.IntakeStep;
import dev.soracamel.intake.RequestParser;
import dev.soracamel.intake.RequestReply;
import dev.soracamel.job.BanList;
import dev.soracamel.job.FileJobStore;
import dev.soracamel.job.JobStore;
import dev.soracamel.progress.ProgressReport;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.OpenAiAdapter;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.rest.JobsApi;
import dev.soracamel.s3.S3Access;
import dev.soracamel.s3.S3Layout;
import dev.soracamel.s3.S3Settings;
import dev.soracamel.validate.ImageProbe;
import dev.soracamel.validate.OpenAiCatalog;
import dev.soracamel.validate.YesAiCatalog;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the beans the routes call into a CamelContext, and one submit and one poll route per configured
 * provider (from the {@code submit} and {@code poll} route templates). Standalone runs do this through
 * {@link SoraConfiguration}; a host application can call {@link #install} on its own context.
 */
public final class SoraPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(SoraPipeline.class);

    private final SoraSettings settings;
    private final JobBoard board;

    private SoraPipeline(SoraSettings settings, JobBoard board) {
        this.settings = settings;
        this.board = board;
    }

    public SoraSettings settings() {
        return settings;
    }

    public JobBoard board() {
        return board;
    }

    public static ObjectMapper jsonMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }

    /** Folder properties; made absolute at start (Camel's file "move" would read a relative one under the inbox). */
    static final String[] FOLDERS = {"sora.inbox", "sora.archive", "sora.outbox", "sora.dead-letter.folder", "sora.work"};

    public static SoraPipeline install(CamelContext ctx) throws Exception {
        var pc = ctx.getPropertiesComponent();
        for (String key : FOLDERS) {
            pc.resolveProperty(key).filter(v -> !v.isBlank() && !Path.of(v).isAbsolute())
                    .ifPresent(v -> pc.addOverrideProperty(key, Path.of(v).toAbsolutePath().normalize().toString()));
        }
        Props props = new Props(pc::resolveProperty);
        SoraSettings s = SoraSettings.read(props);
        for (ProviderSettings p : s.providers().values()) {
            if (!p.hasToken()) {
                throw new IllegalStateException("provider " + p.name() + " has no API token: set sora.provider." + p.name()
                        + ".token (or its environment variable), or run the sandbox (sora.sandbox.enabled)");
            }
            if (s.timeScale() != 1.0 && !p.isLoopback()) {
                // A shrunk schedule against a real provider would break its limits.
                throw new IllegalStateException("sora.time-scale=" + s.timeScale() + " is for the sandbox only, but provider "
                        + p.name() + " points at " + p.baseUrl());
            }
        }
        S3Layout layout = S3Layout.apply(pc);
        S3Access s3 = new S3Access(S3Settings.read(props));
        ObjectMapper json = jsonMapper();
        JobStore store = new FileJobStore(s.work().resolve("jobs"), json);
        BanList bans = new BanList(s.work().resolve("banned-customers.txt"));

        Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
        Registry registry = ctx.getRegistry();
        for (ProviderSettings p : s.providers().values()) {
            adapters.put(p.name(), adapter(ctx, p, json));
            registry.bind("sora-http-" + p.name(), apiComponent(p));
        }
        registry.bind("sora-http-download", downloadComponent());
        // Built on first use, only when an endpoint names #soraS3. Bound as an Object so that Camel's autowiring
        // by type never hands it to other aws2-s3 endpoints (a host application's own, with their own keys).
        registry.bind(S3Access.CLIENT, Object.class, s3::client);
        ctx.getCamelContextExtension().registerEndpointCallback(s3);
        ctx.addService(s3);

        JobBoard board = new JobBoard(s, store, bans, adapters);
        JobBoard.Resume resume = board.resume();
        ImageProbe images = s.checkImage() ? new ImageProbe(s.imageTimeout(), s.imageMaxBytes(), s.imageMaxSide()) : null;
        DownloadStep download = new DownloadStep(board, s.work().resolve("downloads"));

        registry.bind("soraBoard", board);
        registry.bind("soraIntake", new IntakeStep(board, new RequestParser(json, s.intakeMaxBytes()), images));
        // ---- REST /jobs and the synchronous request entry (branch rest): routes "request" and 80-rest.yaml
        registry.bind("soraRequest", new RequestReply(board, json, new RequestParser(json, s.intakeMaxBytes()),
                props.bool("sora.request.dead-letter-rejections", false)));
        registry.bind("soraRest", new JobsApi(board, json, props.integer("sora.rest.list-limit", 100),
                props.integer("sora.rest.list-max-limit", 1000)));
        // ----
        registry.bind("soraSubmit", new SubmitStep(board));
        registry.bind("soraPoll", new PollStep(board));
        registry.bind("soraDownload", download);
        registry.bind("soraStore", new StoreStep(board, download, json, layout.storePrefix()));
        registry.bind("soraDeadLetter", new DeadLetterStep(board, json, layout.deadLetterPrefix()));
        registry.bind("soraResume", new ResumeStep(board, resume));
        registry.bind("soraProgress", new ProgressReport(board));
        registry.bind("soraRetention", new Retention(board, Path.of(props.string("sora.archive", "data/archive")),
                s.deadLetterFolder(), download.downloads(),
                Duration.ofDays(props.integer("sora.retention.archive-days", 30)),
                Duration.ofDays(props.integer("sora.retention.dead-letter-days", 90)),
                Duration.ofDays(props.integer("sora.retention.job-days", 0))));

        ctx.addStartupListener(new ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the templates are only known once the route files are loaded
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
                for (String provider : s.providers().keySet()) {
                    context.addRouteFromTemplate("submit-" + provider, "submit", Map.of("provider", provider));
                    context.addRouteFromTemplate("poll-" + provider, "poll", Map.of("provider", provider));
                }
            }
        });
        SoraPipeline pipeline = new SoraPipeline(s, board);
        registry.bind("soraPipeline", pipeline);
        for (ProviderSettings p : s.providers().values()) {
            LOG.info("provider {} ({}) at {}: {} active tasks, submits {} apart, status checks {} apart, poll every {}, "
                            + "at most {} checks{}", p.name(), p.type(), p.baseUrl(), p.activeTasks(),
                    s.scaled(p.submitSpacing()), s.scaled(p.statusSpacing()), s.scaled(p.pollInterval()),
                    p.maxStatusChecks(), s.timeScale() == 1.0 ? "" : " (schedule scaled x" + s.timeScale() + ")");
        }
        return pipeline;
    }

    private static ProviderAdapter adapter(CamelContext ctx, ProviderSettings p, ObjectMapper json) throws Exception {
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(ctx, p.catalog())) {
            return switch (p.type()) {
                case "yesai" -> new YesAiAdapter(p, YesAiCatalog.read(in), json);
                case "openai-compatible" -> new OpenAiAdapter(p, OpenAiCatalog.read(in), json);
                default -> throw new IllegalStateException("provider " + p.name() + " has type '" + p.type()
                        + "'; supported: yesai, openai-compatible");
            };
        }
    }

    /**
     * Our own HTTP client per provider, so that its settings do not leak into a host's camel-http and back.
     * Automatic retries are off: a retried request the provider already saw would break its rate limit or
     * pay twice; every retry here is a decision of the job board.
     */
    private static HttpComponent apiComponent(ProviderSettings p) {
        HttpComponent http = new HttpComponent();
        http.setAutomaticRetriesDisabled(true);
        http.setRedirectHandlingDisabled(true);
        http.setCookieManagementDisabled(true);
        http.setConnectTimeout(p.connectTimeout().toMillis());
        http.setConnectionRequestTimeout(p.connectTimeout().toMillis());
        http.setResponseTimeout(p.responseTimeout().toMillis());
        http.setSoTimeout(p.responseTimeout().toMillis());
        return http;
    }

    private static HttpComponent downloadComponent() {
        HttpComponent http = new HttpComponent();
        http.setAutomaticRetriesDisabled(true);
        http.setFollowRedirects(true);
        http.setCookieManagementDisabled(true);
        http.setConnectTimeout(15_000);
        http.setConnectionRequestTimeout(15_000);
        http.setSoTimeout(60_000);
        http.setResponseTimeout(60_000);
        return http;
    }
}
