package dev.soracamel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.s3.S3Layout;
import org.apache.camel.util.URISupport;

/**
 * Which routes one pipeline runs, and the template parameters of each, read from the pipeline's properties
 * (with the defaults documented in {@code config/application.properties}). The storage, dead-letter,
 * notification and extra intake endpoints are plain Camel endpoint URIs: a folder and S3 by default, anything
 * a host application names.
 */
final class PipelineRoutes {

    /** A template only this project defines: its presence says the templates are loaded. */
    static final String PROBE_TEMPLATE = "sora-submit";

    /** One route: its step name (the route id, after the pipeline's prefix), its template, its parameters. */
    record Instance(String step, String template, Map<String, Object> params) {
    }

    private final List<Instance> instances = new ArrayList<>();
    private final List<String> ownBuckets = new ArrayList<>();
    private final Map<String, String> endpoints = new LinkedHashMap<>();
    private final S3Layout s3;
    private final Path downloads;
    private boolean leaderClocks;
    private boolean storeConfigured;
    private boolean deadLetterConfigured;

    private PipelineRoutes(S3Layout s3, Path downloads) {
        this.s3 = s3;
        this.downloads = downloads;
    }

    List<Instance> instances() {
        return instances;
    }

    Map<String, String> endpoints() {
        return endpoints;
    }

    S3Layout s3() {
        return s3;
    }

    Path downloads() {
        return downloads;
    }

    /** The buckets this pipeline's routes reach with its own S3 client, to check before they start. */
    /** The once-per-cluster clocks run behind master: (a cluster service must be in the context). */
    boolean leaderClocks() {
        return leaderClocks;
    }

    boolean storeConfigured() {
        return storeConfigured;
    }

    boolean deadLetterConfigured() {
        return deadLetterConfigured;
    }

    /** A sora: consumer takes this outcome: the store (stored) or dead-letter (dead) route writes to it instead. */
    void outlet(String event, String uri) {
        String step = event.equals(Outlets.STORED) ? "store" : "dead-letter";
        for (Instance i : instances) {
            if (i.step().equals(step)) {
                i.params().put("to", uri);
            }
        }
        endpoints.put(step, uri);
    }

    List<String> ownBuckets() {
        return ownBuckets;
    }

    static PipelineRoutes read(Props p, SoraSettings s) {
        String defaultStore = "file:" + s.outbox() + "?tempPrefix=.writing-&fileExist=Override";
        String defaultDeadLetter = "file:" + s.deadLetterFolder() + "?tempPrefix=.writing-&fileExist=Override";
        String store = p.string("sora.store.endpoint", defaultStore);
        String deadLetter = p.string("sora.dead-letter.endpoint", defaultDeadLetter);
        // no receiver configured: events are only logged (at DEBUG), and still recorded as announced
        String notify = p.string("sora.notify.endpoint");
        S3Layout layout = S3Layout.read(p, store, deadLetter);
        PipelineRoutes r = new PipelineRoutes(layout, s.work().resolve("downloads"));
        // a settings file that spells out the default (as older shipped ones did) chose nothing a consumer would override
        r.storeConfigured = !store.equals(defaultStore);
        r.deadLetterConfigured = !deadLetter.equals(defaultDeadLetter);

        r.add("unexpected", "sora-unexpected");
        if (p.bool("sora.intake.folder.enabled")) {
            r.add("intake-folder", "sora-intake-folder",
                    "inbox", s.inbox(),
                    "archive", s.archive(),
                    "pollDelay", p.integer("sora.intake.poll-delay-ms"),
                    "readLockCheckInterval", p.integer("sora.intake.read-lock-check-interval-ms"),
                    "readLockMinAge", p.integer("sora.intake.read-lock-min-age-ms"),
                    "maxFilesPerPoll", p.integer("sora.intake.max-files-per-poll"));
            r.endpoints.put("inbox", "file:" + s.inbox());
        }
        if (layout.intake()) {
            r.add("intake-s3", "sora-intake-s3",
                    "bucket", layout.intakeBucket(),
                    "prefix", layout.intakePrefix(),
                    "processedPrefix", layout.processedPrefix(),
                    "pollDelay", p.integer("sora.intake.s3.poll-delay-ms"),
                    "maxObjectsPerPoll", p.integer("sora.intake.s3.max-objects-per-poll"));
            r.endpoints.put("intake-s3", "s3://" + layout.intakeBucket() + "/" + layout.intakePrefix());
        }
        p.find("sora.intake.endpoint").ifPresent(from -> {
            r.add("intake", "sora-intake", "from", from);
            r.endpoints.put("intake", URISupport.sanitizeUri(from));
        });
        r.add("accept", "sora-accept");
        r.add("request", "sora-request");
        int tick = p.integer("sora.tick-ms");
        for (String provider : s.providers().keySet()) {
            r.add("submit-" + provider, "sora-submit", "provider", provider, "tick", tick);
            r.add("poll-" + provider, "sora-poll", "provider", provider, "tick", tick);
        }
        r.add("download", "sora-download",
                "concurrency", p.integer("sora.download.concurrency"),
                "retryDelay", p.integer("sora.download.retry-delay-ms"));
        r.add("fetch-video", "sora-fetch-video", "downloads", r.downloads);
        r.add("download-failed", "sora-download-failed");
        r.add("store", "sora-store",
                "to", store,
                "retries", p.integer("sora.store.retries"),
                "retryDelay", s.storeRetryDelay().toMillis());
        r.add("store-failed", "sora-store-failed");
        r.add("dead-letter", "sora-dead-letter", "to", deadLetter);
        r.add("redrive", "sora-redrive", "to", deadLetter);
        r.add("redrive-store", "sora-redrive-store");
        dev.soracamel.config.RedriveSettings redrive = dev.soracamel.config.RedriveSettings.read(p);
        if (redrive.folderEnabled()) {
            r.add("redrive-folder", "sora-redrive-folder",
                    "folder", s.deadLetterFolder(),
                    "pollDelay", redrive.pollDelayMs(),
                    "readLockCheckInterval", redrive.readLockCheckIntervalMs(),
                    "readLockMinAge", redrive.readLockMinAgeMs(),
                    "maxFilesPerPoll", redrive.maxFilesPerPoll());
        }
        r.add("notify", "sora-notify",
                "to", notify,
                "retries", p.integer("sora.notify.retries"),
                "retryDelay", p.integer("sora.notify.retry-delay-ms"));
        // Clocks that should run once per cluster, not once per node, run on the leader of the pipeline's namespace
        // when the context has a cluster service (camel.cluster.*: a file lock, Kubernetes, ZooKeeper, Consul...).
        // They are also safe to run on every node, because each of their steps is a claim in the repository.
        r.leaderClocks = p.bool("sora.cluster.leader-clocks");
        String clock = r.leaderClocks ? "master:sora-" + p.pipeline() + ":" : "";
        r.add("notify-retry", "sora-notify-retry",
                "from", clock + "quartz:" + p.pipeline() + "/notify-retry?cron=" + cron(p.string("sora.notify.retry-cron")));
        r.add("recover", "sora-recover", "interval", p.integer("sora.repository.recover-interval-ms"));
        r.add("renew-gates", "sora-renew-gates", "interval", Math.max(1, s.claimLease().toMillis() / 3));
        r.add("progress", "sora-progress", "interval", p.integer("sora.progress.interval-ms"));
        r.add("pause-recheck", "sora-pause-recheck",
                "from", clock + "quartz:" + p.pipeline() + "/pause-recheck?cron=" + cron(s.pauseRecheckCron()));
        r.add("retention", "sora-retention",
                "from", clock + "quartz:" + p.pipeline() + "/retention?cron=" + cron(p.string("sora.retention.cron")));
        String ownClient = "amazonS3Client=#" + p.pipeline() + "S3";
        if (layout.intake()) {
            r.ownBuckets.add(layout.intakeBucket());
        }
        if (layout.storeBucket() != null && store.contains(ownClient)) {
            r.ownBuckets.add(layout.storeBucket());
        }
        if (layout.deadLetterBucket() != null && deadLetter.contains(ownClient)) {
            r.ownBuckets.add(layout.deadLetterBucket());
        }
        r.endpoints.put("store", URISupport.sanitizeUri(store));
        r.endpoints.put("dead-letter", URISupport.sanitizeUri(deadLetter));
        r.endpoints.put("notify", URISupport.sanitizeUri(notify));
        return r;
    }

    /** A cron expression as a URI parameter: Quartz reads '+' as the space between its fields. */
    private static String cron(String expression) {
        return expression.strip().replace(' ', '+');
    }

    private void add(String step, String template, Object... keyValues) {
        Map<String, Object> params = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            params.put((String) keyValues[i], String.valueOf(keyValues[i + 1]));
        }
        instances.add(new Instance(step, template, params));
    }
}
