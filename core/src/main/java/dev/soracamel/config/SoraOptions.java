package dev.soracamel.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.apache.camel.util.TimeUtils;

/**
 * The pipeline's options: per key its type, its default and what it does. A default is written here and
 * nowhere else: {@link Props} takes it from here, docs/OPTIONS.md is rendered from here, and the shipped
 * properties set a key only where the standalone run wants another value. Keys are written as the default
 * pipeline spells them ({@code sora.inbox}); a segment in angle brackets ({@code sora.provider.<name>.tariff})
 * stands for any name.
 */
public final class SoraOptions {

    public enum Type {
        STRING(v -> v),
        INT(Integer::parseInt),
        LONG(Long::parseLong),
        DECIMAL(Double::parseDouble),
        BOOLEAN(v -> {
            if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("not true or false");
            }
            return Boolean.parseBoolean(v);
        }),
        /** As Camel writes durations: 500ms, 20s, 5m, 1h30m, or plain milliseconds. */
        DURATION(TimeUtils::toMilliSeconds),
        /** Comma separated. */
        LIST(v -> v);

        private final Function<String, ?> parser;

        Type(Function<String, ?> parser) {
            this.parser = parser;
        }

        /** Fails unless the value reads as this type. */
        public Object parse(String value) {
            return parser.apply(value.strip());
        }
    }

    /** What stands where no value is set. */
    public enum Default {
        /** The default is {@link Option#value()}; blank means the option is off or empty. */
        VALUE,
        /** There is none: a pipeline that needs the option fails at start, naming it. */
        REQUIRED,
        /** Computed from other options or from the environment, as {@link Option#value()} says in words. */
        DERIVED
    }

    /**
     * @param key         as the default pipeline spells it
     * @param type        how its value is read
     * @param kind        what stands where it is not set
     * @param value       the default (VALUE), or how it is computed in words (DERIVED), or null (REQUIRED)
     * @param group       where the table lists it
     * @param description one sentence
     */
    public record Option(String key, Type type, Default kind, String value, String group, String description) {

        public boolean derived() {
            return kind == Default.DERIVED;
        }
    }

    private static final Map<String, Option> OPTIONS = new LinkedHashMap<>();
    private static String group;

    private static void group(String name) {
        group = name;
    }

    private static void value(String key, Type type, String value, String description) {
        add(new Option(key, type, Default.VALUE, value, group, description));
    }

    private static void required(String key, Type type, String description) {
        add(new Option(key, type, Default.REQUIRED, null, group, description));
    }

    private static void derived(String key, Type type, String how, String description) {
        add(new Option(key, type, Default.DERIVED, how, group, description));
    }

    private static void add(Option o) {
        if (OPTIONS.put(o.key(), o) != null) {
            throw new IllegalStateException("option " + o.key() + " is in the catalog twice");
        }
    }

    static {
        group("folders");
        value("sora.inbox", Type.STRING, "data/inbox", "Request files (*.json) are read from here.");
        value("sora.archive", Type.STRING, "data/archive", "Read request files are moved here, under the day they were read.");
        value("sora.outbox", Type.STRING, "data/outbox",
                "Stored videos of the default store endpoint: <outbox>/<customer_id>/<request_id>.mp4 and .json.");
        value("sora.dead-letter.folder", Type.STRING, "data/dead-letter",
                "The default dead-letter channel's folder: <request_id>.error.json and the original request.");
        value("sora.work", Type.STRING, "data/work",
                "Job store, ban list and part files of downloads in progress; keeping it is what makes restarts safe.");

        group("endpoints and storage");
        derived("sora.store.endpoint", Type.STRING, "file:<sora.outbox>?tempPrefix=.writing-&fileExist=Override",
                "Where videos and their metadata go: any Camel endpoint that honours CamelFileName or CamelAwsS3Key.");
        derived("sora.dead-letter.endpoint", Type.STRING,
                "file:<sora.dead-letter.folder>?tempPrefix=.writing-&fileExist=Override",
                "Where dead letters go, likewise.");
        value("sora.store.retries", Type.INT, "3",
                "Tries again of a failed write to the store endpoint, the delay doubling from retry-delay-ms.");
        value("sora.store.retry-delay-ms", Type.INT, "2000", "The first delay between those tries.");
        value("sora.store.outage.max-retry-delay", Type.DURATION, "5m",
                "After the tries, the kept video is stored again after a pause that doubles up to this.");
        value("sora.store.outage.give-up-after", Type.DURATION, "6h",
                "A video not stored by then is dead-lettered as STORAGE_FAILED (the file moved to <sora.work>/kept/).");

        group("notifications");
        value("sora.notify.endpoint", Type.STRING, "log:sora.notify?level=DEBUG",
                "Where stored, dead-lettered and rejected events go (blank: logged at DEBUG, nothing sent).");
        value("sora.notify.retries", Type.INT, "5",
                "Tries again of a failed send, the delay doubling from retry-delay-ms, before the retry clock.");
        value("sora.notify.retry-delay-ms", Type.INT, "2000", "The first delay between those tries.");
        value("sora.notify.retry-cron", Type.STRING, "0 */5 * * * ?",
                "Quartz cron on which unsent events are sent again.");

        group("intake");
        value("sora.intake.folder.enabled", Type.BOOLEAN, "true", "Read requests from the inbox folder.");
        value("sora.intake.endpoint", Type.STRING, "",
                "Another Camel endpoint to read requests from (one request or an array, as JSON); blank: none.");
        value("sora.intake.poll-delay-ms", Type.INT, "500", "How often the inbox is looked at.");
        value("sora.intake.read-lock-check-interval-ms", Type.INT, "500",
                "How often a new file is checked for a change of size or modification time.");
        value("sora.intake.read-lock-min-age-ms", Type.INT, "1000",
                "A file is read only once its size and modification time stayed the same this long.");
        value("sora.intake.max-files-per-poll", Type.INT, "100", "Files taken per look at the inbox.");
        value("sora.intake.max-file-bytes", Type.LONG, "1048576",
                "Larger request files (and S3 objects) are dead-lettered, not read; the most read of an S3 object.");

        group("redrive");
        value("sora.redrive.folder.enabled", Type.BOOLEAN, "true",
                "Watch the dead-letter folder for <id>.redrive files.");
        value("sora.redrive.folder.poll-delay-ms", Type.INT, "1000",
                "How often the dead-letter folder is looked at for .redrive files.");
        value("sora.redrive.folder.read-lock-check-interval-ms", Type.INT, "500",
                "How often a .redrive file is checked for a change.");
        value("sora.redrive.folder.read-lock-min-age-ms", Type.INT, "1000",
                "A .redrive file is read only once it stayed unchanged this long.");
        value("sora.redrive.folder.max-files-per-poll", Type.INT, "20", "Files taken per look.");
        value("sora.redrive.folder.max-file-bytes", Type.INT, "4096",
                "The most read of one .redrive file; a larger one is refused unread (at least 1).");

        group("REST and the operator page (standalone server)");
        value("sora.rest.enabled", Type.BOOLEAN, "false",
                "Serve REST /jobs; the standalone run binds it to camel.server.enabled.");
        value("sora.rest.list-limit", Type.INT, "100", "Jobs in a GET /jobs answer unless ?limit= asks otherwise.");
        value("sora.rest.list-max-limit", Type.INT, "1000", "The most ?limit= of GET /jobs may ask.");
        value("sora.request.dead-letter-rejections", Type.BOOLEAN, "false",
                "Also write requests refused by POST /jobs or direct:sora-request to the dead-letter channel.");
        value("sora.ops.enabled", Type.BOOLEAN, "false",
                "Serve the operator page; the standalone run binds it to sora.rest.enabled.");
        value("sora.ops.path", Type.STRING, "/ops", "Where the operator page is served (its JSON under <path>/api/).");
        value("sora.ops.refresh", Type.DURATION, "2s", "How often the operator page polls (at least 500ms).");
        value("sora.ops.page-size", Type.INT, "25", "Jobs in one page of the operator page unless ?limit= asks otherwise.");
        value("sora.ops.page-max", Type.INT, "100", "The most ?limit= of the operator page may ask (at most 100).");
        value("sora.ops.video-chunk-bytes", Type.INT, "1048576",
                "The most one ranged answer of a stored video carries (65536 to 16777216).");
        value("sora.ops.spend-customers", Type.INT, "20", "Customers listed under today's spend (1 to 1000).");

        group("S3");
        value("sora.s3.region", Type.STRING, "us-east-1", "The buckets' region, or the region name the store expects.");
        value("sora.s3.endpoint-override", Type.STRING, "",
                "The URL of an S3-compatible store (MinIO, Ceph); blank: AWS itself.");
        value("sora.s3.force-path-style", Type.BOOLEAN, "false",
                "Put the bucket in the path rather than the host name, as most self-hosted stores need.");
        value("sora.s3.access-key", Type.STRING, "",
                "Access key; blank together with the secret key: the AWS default credentials chain.");
        value("sora.s3.secret-key", Type.STRING, "", "Secret key (never logged).");
        value("sora.s3.checksums", Type.STRING, "when-supported",
                "Upload checksums: when-supported, or when-required for stores that reject them.");
        value("sora.s3.part-size", Type.LONG, "16777216",
                "Videos of at least this size are uploaded in parts of this size (5 MiB to 5 GiB).");
        value("sora.s3.max-connections", Type.INT, "50", "Connections the S3 client keeps to the store.");
        value("sora.intake.s3.enabled", Type.BOOLEAN, "false", "Read requests from an S3 bucket.");
        value("sora.intake.s3.bucket", Type.STRING, "", "The bucket requests are read from.");
        value("sora.intake.s3.prefix", Type.STRING, "inbox/", "Objects under this prefix are read like inbox files.");
        value("sora.intake.s3.processed-prefix", Type.STRING, "processed/",
                "Read objects move under this prefix, keeping their key.");
        value("sora.intake.s3.poll-delay-ms", Type.INT, "5000",
                "How often the intake prefix is listed (each look is a paid LIST request on AWS).");
        value("sora.intake.s3.max-objects-per-poll", Type.INT, "10",
                "Objects taken per look (at most sora.s3.max-connections - 10).");
        value("sora.store.s3.bucket", Type.STRING, "", "The bucket videos are stored in.");
        value("sora.store.s3.prefix", Type.STRING, "videos/",
                "Key prefix of stored videos (blank: the bucket's top).");
        derived("sora.store.s3.endpoint", Type.STRING, "the standalone run's aws2-s3 endpoint of sora.store.s3.bucket",
                "The S3 store endpoint to name in sora.store.endpoint.");
        value("sora.dead-letter.s3.bucket", Type.STRING, "", "The bucket dead letters are written to.");
        value("sora.dead-letter.s3.prefix", Type.STRING, "dead-letter/",
                "Key prefix of dead letters (blank: the bucket's top).");
        derived("sora.dead-letter.s3.endpoint", Type.STRING,
                "the standalone run's aws2-s3 endpoint of sora.dead-letter.s3.bucket",
                "The S3 dead-letter endpoint to name in sora.dead-letter.endpoint.");

        group("validation");
        value("sora.validation.check-image", Type.BOOLEAN, "true",
                "Fetch a request's image_url and check it as the provider will (jpeg/png, size, long side).");
        value("sora.validation.image-timeout", Type.DURATION, "10s",
                "The whole image check, every redirect included.");
        value("sora.validation.image-max-bytes", Type.LONG, "5242880", "The largest image accepted.");
        value("sora.validation.image-max-side", Type.INT, "2000", "The longest image side accepted, in pixels.");
        value("sora.validation.image-max-concurrent", Type.INT, "4", "Image checks running at once.");
        value("sora.validation.image-allow", Type.LIST, "",
                "Internal image hosts, addresses or ranges the check may fetch all the same; blank: public addresses only.");

        group("providers");
        value("sora.providers", Type.LIST, "yesai", "The configured provider instances.");
        derived("sora.default-provider", Type.STRING, "the first of sora.providers",
                "The provider of a request that names none.");
        value("sora.provider.<name>.type", Type.STRING, "yesai",
                "The provider's API: yesai, openai-compatible, or one a jar on the classpath adds.");
        derived("sora.provider.<name>.base-url", Type.STRING, "the type's (yesai: https://api.yesai.su; "
                + "required for a type without one)", "Where the provider's API is.");
        value("sora.provider.<name>.token", Type.STRING, "",
                "The API token (never logged); blank stops the start unless the sandbox runs.");
        value("sora.provider.<name>.tariff", Type.STRING, "start",
                "Active tasks at once: a tariff (Demo 1, Micro 2, Start 3, Standard 5, VIP 10) or a number.");
        value("sora.provider.<name>.submit-spacing", Type.DURATION, "1s",
                "Time from a submit's answer to the next submit of the account.");
        value("sora.provider.<name>.status-spacing", Type.DURATION, "1s",
                "Time from a status check's answer to the next check of the account.");
        value("sora.provider.<name>.poll-interval", Type.DURATION, "20s",
                "After the model's first-check delay, a task is checked this often.");
        value("sora.provider.<name>.max-status-checks", Type.INT, "60",
                "Status checks per task before it is rejected locally (POLL_ATTEMPTS_EXHAUSTED).");
        value("sora.provider.<name>.max-timeout-resubmits", Type.INT, "2",
                "Resubmits after the provider timed a task out, before it is dead-lettered.");
        derived("sora.provider.<name>.catalog", Type.STRING, "the type's (yesai: classpath:dev/soracamel/models/yesai.yaml)",
                "The model catalog: versions and their resolutions, dimensions and durations.");
        value("sora.provider.<name>.connect-timeout", Type.DURATION, "10s", "Connect timeout of the provider's API.");
        value("sora.provider.<name>.response-timeout", Type.DURATION, "60s", "Response timeout of the provider's API.");
        derived("sora.provider.<name>.account", Type.STRING, "<pipeline>.<name>",
                "The account whose slots and call gates the provider uses; pipelines sharing a token share it.");
        value("sora.status.learn", Type.BOOLEAN, "true",
                "Learn when to check a class of task first; false: the catalog's delay, then the poll interval.");

        group("retries and pauses");
        value("sora.retry.initial-backoff", Type.DURATION, "2s",
                "First backoff after a retryable submit or status failure; it doubles.");
        value("sora.retry.max-backoff", Type.DURATION, "5m", "The longest backoff.");
        value("sora.submit.max-retries", Type.INT, "10",
                "Submit failures with a server or connection error before the job is dead-lettered.");
        value("sora.submit.resubmit-on-unknown-outcome", Type.BOOLEAN, "false",
                "A submit whose answer never came: false dead-letters it (never pay twice), true submits again.");
        value("sora.submit.lookup.enabled", Type.BOOLEAN, "true",
                "Look up such a submit's task in the provider's list of tasks, where it has one.");
        value("sora.submit.lookup.first-delay", Type.DURATION, "10s",
                "Provider time from the lost answer to the first page of the lookup.");
        value("sora.submit.lookup.page-size", Type.INT, "100", "Tasks per page of the lookup (1 to 100).");
        value("sora.submit.lookup.max-pages", Type.INT, "5", "Pages read per lookup.");
        value("sora.submit.lookup.max-failures", Type.INT, "5", "Pages that may fail in a row before the lookup gives up.");
        value("sora.pause.recheck-cron", Type.STRING, "0 * * * * ?",
                "Quartz cron on which submits paused by a refused token or credit are tried again.");
        value("sora.submit.window.open-cron", Type.STRING, "",
                "Quartz cron that opens the submit window; blank with close-cron: always open.");
        value("sora.submit.window.close-cron", Type.STRING, "", "Quartz cron that closes the submit window.");
        derived("sora.time-zone", Type.STRING, "the machine's", "Time zone of the submit window's crons.");

        group("spend");
        value("sora.prices", Type.LIST, "classpath:dev/soracamel/prices.yaml",
                "Price tables, read in order, a later file's entry for a model replacing an earlier one's.");
        value("sora.prices.unpriced", Type.STRING, "refuse",
                "A request for a model no table prices: refuse (dead-letter as PRICE_NOT_FOUND) or allow.");
        value("sora.budget.daily", Type.DECIMAL, "",
                "The most one day's submits may commit, all customers together; blank: no budget.");
        value("sora.budget.customer-daily", Type.DECIMAL, "",
                "The most one customer's submits may commit in a day; blank: no budget.");
        value("sora.budget.over", Type.STRING, "wait",
                "A job over a budget: wait (stays queued) or dead-letter (as BUDGET_EXCEEDED).");
        derived("sora.budget.time-zone", Type.STRING, "sora.time-zone, else the machine's",
                "Where a budget day starts and ends.");

        group("job repository and several nodes");
        value("sora.repository.type", Type.STRING, "file",
                "file: one JSON file per job under sora.work, one node; postgresql: shared by every node.");
        value("sora.repository.url", Type.STRING, "jdbc:postgresql://127.0.0.1:5432/sora", "For postgresql: the JDBC URL.");
        value("sora.repository.user", Type.STRING, "sora", "For postgresql: the user.");
        value("sora.repository.password", Type.STRING, "", "For postgresql: the password (never logged).");
        value("sora.repository.pool-size", Type.INT, "5", "For postgresql: connections this node keeps.");
        value("sora.repository.claim-lease", Type.DURATION, "5s",
                "How long a node has to put a claimed provider call on the wire.");
        value("sora.repository.step-lease", Type.DURATION, "10m",
                "How long a node's claim on a download, dead letter or event lasts before another node takes over.");
        value("sora.repository.outage-retry-ms", Type.INT, "1000",
                "While the repository cannot be reached, an arriving request is read again after this pause.");
        value("sora.repository.recover-interval-ms", Type.INT, "5000", "How often a node looks for steps no node is doing.");
        value("sora.cluster.leader-clocks", Type.BOOLEAN, "false",
                "Run the once-per-cluster clocks on the elected leader only (needs a cluster service).");
        value("sora.cluster.file.root", Type.STRING, "",
                "The standalone run's file-lock cluster service: a folder every node sees; blank: none.");
        value("sora.cluster.file.id", Type.STRING, "", "This node's name in that folder; blank: a generated one.");

        group("retention");
        value("sora.retention.cron", Type.STRING, "0 30 3 * * ?", "Quartz cron of the retention sweep.");
        value("sora.retention.archive-days", Type.INT, "30", "Days to keep read request files (0: forever).");
        value("sora.retention.dead-letter-days", Type.INT, "90", "Days to keep dead letters (0: forever).");
        value("sora.retention.job-days", Type.INT, "0", "Days to keep the records of finished jobs (0: forever).");

        group("download");
        value("sora.download.link-lifetime", Type.DURATION, "60m", "How long a result link lives after the task completed.");
        value("sora.download.attempts", Type.INT, "5", "Attempts per video while the link lives.");
        value("sora.download.retry-delay-ms", Type.INT, "2000", "Delay between download attempts.");
        value("sora.download.concurrency", Type.INT, "2", "Videos downloaded at the same time.");
        value("sora.download.timeout", Type.DURATION, "30m",
                "The longest one download attempt may take, never past the link's end of life.");
        value("sora.download.max-bytes", Type.LONG, "4294967296",
                "A larger video is refused as DOWNLOAD_TOO_LARGE (not retried).");

        group("schedule and progress");
        value("sora.tick-ms", Type.INT, "100", "How often the submit and poll routes ask whether something is due.");
        value("sora.progress.interval-ms", Type.INT, "10000", "The one-line progress summary, while there is work.");
        value("sora.time-scale", Type.DECIMAL, "1",
                "Multiplies every provider-schedule duration; other than 1 only against a loopback provider (sandbox).");
        value("sora.exit-when-idle", Type.BOOLEAN, "false",
                "The standalone run stops when the inbox is empty and every job is stored or dead-lettered.");

        group("sandbox (standalone run)");
        value("sora.sandbox.enabled", Type.BOOLEAN, "false",
                "Run on the built-in simulator of the Yes Ai API, where nothing is paid.");
        value("sora.sandbox.time-scale", Type.DECIMAL, "0.05", "Sandbox clock: 0.05 means one provider second lasts 50 ms.");
        value("sora.sandbox.active-tasks", Type.INT, "3", "The simulated account's active-task limit.");
        value("sora.sandbox.dialect.<provider>", Type.STRING, "openai",
                "How the sandbox words an OpenAI-compatible provider's answers: openai or gateway.");
        value("sora.sandbox.queue-seconds", Type.DECIMAL, "5", "Provider seconds a simulated task spends queued.");
        value("sora.sandbox.generation-seconds-2", Type.DECIMAL, "70",
                "Provider seconds until a simulated task of model 2 finishes.");
        value("sora.sandbox.generation-seconds-pro", Type.DECIMAL, "320",
                "Provider seconds until a simulated task of model 2.pro finishes.");
        value("sora.sandbox.submit-delay-ms", Type.DECIMAL, "0", "Provider ms each simulated submit waits for its answer.");
        value("sora.sandbox.status-delay-ms", Type.DECIMAL, "0",
                "Provider ms each simulated status check waits for its answer.");
        value("sora.sandbox.port", Type.INT, "0", "The simulator's port (0: any free one).");
        value("sora.sandbox.examples", Type.STRING, "",
                "In sandbox mode, example requests copied into the inbox at start; blank: none.");
        value("sora.sandbox.exit-when-idle", Type.BOOLEAN, "false",
                "In sandbox mode, stop when all is done and print where everything went.");
    }

    private SoraOptions() {
    }

    public static List<Option> all() {
        return Collections.unmodifiableList(new ArrayList<>(OPTIONS.values()));
    }

    /** The option of a key as the default pipeline spells it, a provider's name in place of {@code <name>}. */
    public static Optional<Option> find(String key) {
        Option exact = OPTIONS.get(key);
        if (exact != null) {
            return Optional.of(exact);
        }
        String[] parts = key.split("\\.", -1);
        for (Option o : OPTIONS.values()) {
            if (o.key().indexOf('<') >= 0 && matches(o.key().split("\\.", -1), parts)) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Like {@link #find}, failing on a key the catalog does not know: code may read only documented options. */
    public static Option get(String key) {
        return find(key).orElseThrow(() -> new IllegalArgumentException("option " + key
                + " is not in the option catalog (dev.soracamel.config.SoraOptions): add it there with its type, "
                + "default and description, or fix the key's spelling"));
    }

    private static boolean matches(String[] pattern, String[] parts) {
        if (pattern.length != parts.length) {
            return false;
        }
        for (int i = 0; i < pattern.length; i++) {
            boolean any = pattern[i].startsWith("<") && pattern[i].endsWith(">") && !parts[i].isEmpty();
            if (!any && !pattern[i].equals(parts[i])) {
                return false;
            }
        }
        return true;
    }
}
