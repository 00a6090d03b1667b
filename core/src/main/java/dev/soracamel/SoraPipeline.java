package dev.soracamel;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.soracamel.config.ProviderSettings;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraOptionsSource;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.deadletter.DeadLetterStep;
import dev.soracamel.flow.DownloadStep;
import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.PollStep;
import dev.soracamel.flow.ClaimGuard;
import dev.soracamel.flow.RecoverStep;
import dev.soracamel.flow.StoreStep;
import dev.soracamel.flow.SubmitStep;
import dev.soracamel.housekeeping.Retention;
import dev.soracamel.intake.IntakeStep;
import dev.soracamel.intake.RequestParser;
import dev.soracamel.intake.RequestReply;
import dev.soracamel.job.BanList;
import dev.soracamel.job.JobRepositories;
import dev.soracamel.job.JobRepository;
import dev.soracamel.notify.NotifyStep;
import dev.soracamel.flow.DownloadRetry;
import dev.soracamel.observe.Observability;
import dev.soracamel.progress.ProgressReport;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.ProviderTypes;
import dev.soracamel.ops.OpsApi;
import dev.soracamel.rest.JobsApi;
import dev.soracamel.s3.S3Access;
import dev.soracamel.s3.S3Settings;
import dev.soracamel.spend.Spend;
import dev.soracamel.validate.ImageProbe;
import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.model.Model;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pipeline in a CamelContext: its beans, bound as {@code <name>Board}, {@code <name>Intake}, ..., and its
 * routes, instantiated from the route templates in {@code routes/} (classpath {@code dev/soracamel/routes/}).
 * Standalone runs install the pipeline named {@code sora} through {@link SoraConfiguration}; a host
 * application calls {@link #install(CamelContext, Options)} on its own context, as often as it wants
 * pipelines, each reading its own properties ({@code <name>.inbox}, {@code <name>.provider.*}, ...).
 */
public final class SoraPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(SoraPipeline.class);
    /** Where the route templates live on the classpath (packed there by the build, from routes/). */
    public static final String TEMPLATES = "classpath:dev/soracamel/routes/*.yaml";
    private static final Pattern NAME = Pattern.compile("[a-z][a-zA-Z0-9]*");

    /**
     * @param name          the pipeline's name: the prefix of its properties, bean names and internal endpoints
     * @param routeIdPrefix put before every route id (intake-folder, submit-yesai, ...), so that two
     *                      pipelines, or a pipeline and a host's own routes, never clash
     */
    public record Options(String name, String routeIdPrefix) {
        public Options {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("a pipeline name is a lower-case letter then letters or digits, "
                        + "not '" + name + "': it prefixes property keys, bean names and endpoint names");
            }
            routeIdPrefix = routeIdPrefix == null ? "" : routeIdPrefix;
        }

        /** The standalone pipeline: {@code sora.*} properties, route ids without a prefix. */
        public static Options standalone() {
            return new Options(Props.DEFAULT_PIPELINE, "");
        }

        /** A pipeline in a host's context: {@code <name>.*} properties, route ids {@code <name>-...}. */
        public static Options named(String name) {
            return new Options(name, name + "-");
        }
    }

    private final Options options;
    private final SoraSettings settings;
    private final JobBoard board;
    private final Map<String, String> endpoints;

    private SoraPipeline(Options options, SoraSettings settings, JobBoard board, Map<String, String> endpoints) {
        this.options = options;
        this.settings = settings;
        this.board = board;
        this.endpoints = endpoints;
    }

    public String name() {
        return options.name();
    }

    public SoraSettings settings() {
        return settings;
    }

    public JobBoard board() {
        return board;
    }

    /** The endpoint a host application sends one request to and gets the job id or the rejection back. */
    public String requestEndpoint() {
        return "direct:" + name() + "-request";
    }

    /** The endpoint a host application sends a job id to, to redrive the job (see the README's Redrive). */
    public String redriveEndpoint() {
        return "direct:" + name() + "-redrive";
    }

    /** Where videos, dead letters and notifications go (the resolved endpoint URIs, credentials masked). */
    public Map<String, String> endpoints() {
        return endpoints;
    }

    public static ObjectMapper jsonMapper() {
        return JsonMapper.builder()
                .addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }

    /**
     * Folder properties, made absolute at start also as properties: endpoint URIs written with them
     * ({@code file:{{sora.outbox}}}) then name the same absolute folders as the settings, in every location
     * they report.
     */
    static final String[] FOLDERS = {"sora.inbox", "sora.archive", "sora.outbox", "sora.dead-letter.folder", "sora.work"};

    /** The standalone pipeline ({@code sora.*} properties). */
    public static SoraPipeline install(CamelContext ctx) throws Exception {
        return install(ctx, Options.standalone());
    }

    public static SoraPipeline install(CamelContext ctx, Options options) throws Exception {
        // the routes name sora.* defaults as placeholders (SoraOptionsSource); usually Camel has added it already
        SoraOptionsSource.addTo(ctx);
        String name = options.name();
        var pc = ctx.getPropertiesComponent();
        Props props = new Props(pc::resolveProperty, name);
        for (String key : FOLDERS) {
            props.find(key).filter(v -> !Path.of(v).isAbsolute())
                    .ifPresent(v -> pc.addOverrideProperty(props.key(key), Path.of(v).toAbsolutePath().normalize().toString()));
        }
        ProviderTypes types = ProviderTypes.of(ctx);
        SoraSettings s = SoraSettings.read(props, types);
        for (ProviderSettings p : s.providers().values()) {
            if (!p.hasToken()) {
                // the environment variables and the simulator switch belong to the standalone run's settings; a host's
                // pipeline names only its own key
                throw new IllegalStateException("provider " + p.name() + " has no API token: set "
                        + props.key("sora.provider." + p.name() + ".token") + (!Props.DEFAULT_PIPELINE.equals(name) ? ""
                        : " (the shipped configuration reads it from SORA_"
                        + p.name().toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_TOKEN), or ask for the "
                        + "built-in simulator, where nothing is paid: sora.sandbox.enabled=true (SORA_SANDBOX_ENABLED=true)"));
            }
            if (s.timeScale() != 1.0 && !p.isLoopback()) {
                // A shrunk schedule against a real provider would break its limits.
                throw new IllegalStateException(props.key("sora.time-scale") + "=" + s.timeScale()
                        + " is for the sandbox only, but provider " + p.name() + " points at " + p.baseUrl());
            }
        }
        Registry registry = ctx.getRegistry();
        PipelineRoutes routes = PipelineRoutes.read(props, s);
        for (SoraPipeline other : registry.findByType(SoraPipeline.class)) {
            other.refuseToShare(s, routes.endpoints());
        }
        S3Access s3 = new S3Access(S3Settings.read(props), name + "S3");
        ObjectMapper json = jsonMapper();
        // a host may hand over a repository of its own, bound as <name>JobRepository; else the configured one
        JobRepository given = registry.lookupByNameAndType(name + "JobRepository", JobRepository.class);
        JobRepository store = given != null ? given : JobRepositories.open(props, s, json);
        if (given == null) {
            // closed when the context stops: the file repository's folder lock is then free for the next start
            ctx.addService(new org.apache.camel.support.service.ServiceSupport() {
                @Override
                protected void doStop() {
                    store.close();
                }
            }, true, true);
        }
        BanList bans = new BanList(s.work().resolve("banned-customers.txt"));

        Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
        for (ProviderSettings p : s.providers().values()) {
            adapters.put(p.name(), adapter(ctx, types, p, json));
            registry.bind(name + "-http-" + p.name(), apiComponent(p));
        }
        registry.bind(name + "-http-download", downloadComponent());
        // Built on first use, only when an endpoint names #<name>S3. Bound as an Object so that Camel's
        // autowiring by type never hands it to other aws2-s3 endpoints (a host application's own, with their keys).
        registry.bind(s3.beanName(), Object.class, s3::client);
        ctx.getCamelContextExtension().registerEndpointCallback(s3);
        ctx.addService(s3);

        // spend control (issue #6): the price table and the budgets, which the board checks before each submit
        Spend spend = Spend.create(ctx, props, s, adapters);
        JobBoard board;
        try {
            board = new JobBoard(s, store, bans, adapters, spend);
            board.start();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        ImageProbe images = s.checkImage() ? new ImageProbe(s.imageTimeout(), s.imageMaxBytes(), s.imageMaxSide(),
                imageAllow(props, s), s.imageMaxConcurrent()) : null;
        DownloadStep download = new DownloadStep(board, routes.downloads());

        registry.bind(name + "Board", board);
        Observability.install(ctx, board, name); // observe: a readiness check per provider, and metrics
        registry.bind(name + "IntakeGuard", new dev.soracamel.intake.IntakeGuard(ctx, name, s.archive()));
        registry.bind(name + "Intake", new IntakeStep(board, new RequestParser(json, s.intakeMaxBytes()), images));
        registry.bind(name + "Request", new RequestReply(board, json, new RequestParser(json, s.intakeMaxBytes()),
                props.bool("sora.request.dead-letter-rejections"), "direct:" + name + "-request"));
        // REST /jobs (routes/standalone/80-rest.yaml) is the standalone run's; a host serves its own
        registry.bind(name + "Rest", new JobsApi(board, json, props.integer("sora.rest.list-limit"),
                props.integer("sora.rest.list-max-limit")));
        // the operator page (routes/standalone/85-ops.yaml), where the run's properties turn it on: a host that
        // embeds the pipeline has no sora.ops.* and serves its own
        if (props.bool("sora.ops.enabled")) {
            registry.bind(name + "Ops", new OpsApi(board, json, OpsApi.Settings.read(props)));
        }
        registry.bind(name + "Submit", new SubmitStep(board));
        registry.bind(name + "Poll", new PollStep(board));
        registry.bind(name + "Download", download);
        if (registry.lookupByName(DownloadRetry.BEAN) == null) {
            registry.bind(DownloadRetry.BEAN, new DownloadRetry());
        }
        registry.bind(name + "Store", new StoreStep(board, download, json, routes.s3().storePrefix()));
        registry.bind(name + "DeadLetter", new DeadLetterStep(board, json, routes.s3().deadLetterPrefix()));
        dev.soracamel.deadletter.RedriveStep redrive = new dev.soracamel.deadletter.RedriveStep(board, json,
                routes.s3().deadLetterPrefix(), name);
        registry.bind(name + "Redrive", redrive);
        registry.bind(name + "RedriveFolder", new dev.soracamel.deadletter.RedriveFolder(json, redrive,
                dev.soracamel.config.RedriveSettings.read(props).maxFileBytes()));
        registry.bind(name + "Notify", new NotifyStep(name, board, json));
        registry.bind(name + "Recover", new RecoverStep(board));
        registry.bind(name + "Progress", new ProgressReport(board));
        registry.bind(name + "Retention", new Retention(board, s.archive(), s.deadLetterFolder(), download.downloads(),
                s.keepArchive(), s.keepDeadLetters(), s.keepJobs()));

        Outlets.of(ctx, name).configured(routes.storeConfigured(), routes.deadLetterConfigured());
        SoraPipeline pipeline = new SoraPipeline(options, s, board, routes.endpoints());
        registry.bind(name + "Pipeline", pipeline);
        if (ctx.isStarted()) {
            pipeline.addRoutes(ctx, routes, s3);
        } else {
            ctx.addStartupListener(new ExtendedStartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                    // the templates may only be loaded once the context has read its route files
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) throws Exception {
                    pipeline.addRoutes(context, routes, s3);
                }
            });
        }
        for (ProviderSettings p : s.providers().values()) {
            LOG.info("{}provider {} ({}) at {}: {} active tasks, submits {} apart, status checks {} apart, poll every {}, "
                            + "at most {} checks{}", name.equals(Props.DEFAULT_PIPELINE) ? "" : "pipeline " + name + ": ",
                    p.name(), p.type(), p.baseUrl(), p.activeTasks(),
                    s.scaled(p.submitSpacing()), s.scaled(p.statusSpacing()), s.scaled(p.pollInterval()),
                    p.maxStatusChecks(), s.timeScale() == 1.0 ? "" : " (schedule scaled x" + s.timeScale() + ")");
        }
        return pipeline;
    }

    /**
     * Loads the route templates from this jar unless the context has them already (Camel Main reads them
     * through {@code camel.main.routes-include-pattern}; a host's plain CamelContext does not).
     */
    public static void loadTemplates(CamelContext ctx) throws Exception {
        Model model = ctx.getCamelContextExtension().getContextPlugin(Model.class);
        if (model.getRouteTemplateDefinition(PipelineRoutes.PROBE_TEMPLATE) != null) {
            return;
        }
        var resources = PluginHelper.getPackageScanResourceResolver(ctx).findResources(TEMPLATES);
        if (resources.isEmpty()) {
            throw new IllegalStateException("the route templates (" + TEMPLATES + ") are not on the classpath");
        }
        PluginHelper.getRoutesLoader(ctx).loadRoutes(resources);
    }

    private void addRoutes(CamelContext ctx, PipelineRoutes routes, S3Access s3) throws Exception {
        loadTemplates(ctx);
        // a missing bucket or refused credentials stop the start with a sentence that says which and why,
        // before the first paid video has nowhere to go
        for (String bucket : routes.ownBuckets()) {
            s3.check(bucket);
        }
        if (routes.leaderClocks() && org.apache.camel.support.cluster.ClusterServiceHelper.lookupService(ctx).isEmpty()) {
            throw new IllegalStateException((Props.DEFAULT_PIPELINE.equals(name()) ? "" : "pipeline " + name() + ": ")
                    + "sora.cluster.leader-clocks=true needs a cluster service in the CamelContext to elect the leader "
                    + "(camel.cluster.file.enabled=true with a shared camel.cluster.file.root, or Kubernetes, ZooKeeper, "
                    + "Consul: see the README's \"Several nodes\")");
        }
        // decided now, not at install: the consumers of routes known at start exist once the context has started
        for (String event : Outlets.of(ctx, name()).seal()) {
            routes.outlet(event, Outlets.sendTo(name(), event));
        }
        for (PipelineRoutes.Instance r : routes.instances()) {
            Map<String, Object> params = new LinkedHashMap<>(r.params());
            params.put("pipeline", name());
            ctx.addRouteFromTemplate(options.routeIdPrefix() + r.step(), r.template(), params);
        }
        // the moment the pipeline takes work (the start-up benchmark measures to this line)
        LOG.info("pipeline {} ready: {} routes running; endpoints {}", name(), routes.instances().size(), endpoints);
    }

    /**
     * Two pipelines in one context must not share a job store (each would resume the other's jobs) nor a
     * provider account (each would fill the account's active tasks on its own, and together break them).
     */
    private void refuseToShare(SoraSettings other, Map<String, String> otherEndpoints) {
        if (name().equals(other.pipeline())) {
            throw new IllegalStateException("a pipeline named '" + name() + "' is already installed in this context");
        }
        if (settings.work().equals(other.work())) {
            throw new IllegalStateException("pipelines '" + name() + "' and '" + other.pipeline() + "' both keep their "
                    + "jobs in " + other.work() + ": give each its own work folder (" + other.pipeline() + ".work)");
        }
        for (ProviderSettings mine : settings.providers().values()) {
            for (ProviderSettings theirs : other.providers().values()) {
                if (mine.baseUrl().equals(theirs.baseUrl()) && mine.token().equals(theirs.token())) {
                    throw new IllegalStateException("pipelines '" + name() + "' (provider " + mine.name() + ") and '"
                            + other.pipeline() + "' (provider " + theirs.name() + ") use the same account at "
                            + mine.baseUrl() + ": its limits hold per account, and two pipelines would each fill "
                            + "them. Give each pipeline its own account, or send both kinds of request to one pipeline");
                }
            }
        }
        refuseToShareEndpoints(other.pipeline(), otherEndpoints);
    }

    /**
     * Two pipelines reading one inbox would split its requests between their accounts, and two writing one store or
     * dead-letter place would overwrite each other's records of the same request id: refused before either starts.
     */
    private void refuseToShareEndpoints(String otherName, Map<String, String> otherEndpoints) {
        for (String kind : SHARED_NEVER) {
            String mine = endpoints.get(kind);
            if (mine != null && mine.equals(otherEndpoints.get(kind))) {
                throw new IllegalStateException("pipelines '" + name() + "' and '" + otherName + "' would both use "
                        + mine + " as their " + kind + ": give '" + otherName + "' one of its own");
            }
        }
        for (String in : List.of("inbox", "intake-s3", "intake")) {
            String mine = endpoints.get(in);
            if (mine != null && (mine.equals(otherEndpoints.get("inbox")) || mine.equals(otherEndpoints.get("intake-s3"))
                    || mine.equals(otherEndpoints.get("intake")))) {
                throw new IllegalStateException("pipelines '" + name() + "' and '" + otherName + "' would both read "
                        + "requests from " + mine + ": give '" + otherName + "' an intake of its own");
            }
        }
    }

    /** Where two pipelines of one context may never both write. */
    private static final List<String> SHARED_NEVER = List.of("store", "dead-letter");

    private static dev.soracamel.validate.AddressPolicy imageAllow(Props props, SoraSettings s) {
        try {
            return dev.soracamel.validate.AddressPolicy.allowing(s.imageAllow());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(props.key("sora.validation.image-allow") + ": " + e.getMessage(), e);
        }
    }

    private static ProviderAdapter adapter(CamelContext ctx, ProviderTypes types, ProviderSettings p, ObjectMapper json)
            throws Exception {
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(ctx, p.catalog())) {
            return types.find(p.name(), p.type()).create(p, in, json);
        }
    }

    /**
     * Our own HTTP client per provider, so that its settings do not leak into a host's camel-http and back.
     * Automatic retries are off: a retried request the provider already saw would break its rate limit or
     * pay twice; every retry here is a decision of the job board.
     */
    private static HttpComponent apiComponent(ProviderSettings p) {
        HttpComponent http = new HttpComponent();
        // a call whose claim lapsed while this process stalled is never sent (another node may have the account)
        http.setHttpClientConfigurer(ClaimGuard::install);
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
