package dev.soracamel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;


/**
 * Everything the beans need from a pipeline's properties ({@code sora.*} for the default pipeline), read
 * once at start. The options, their defaults and descriptions are in {@link SoraOptions} (docs/OPTIONS.md).
 */
public record SoraSettings(
        String pipeline,
        Path inbox,
        Path archive,
        Path work,
        Path outbox,
        Path deadLetterFolder,
        double timeScale,
        String defaultProvider,
        Map<String, ProviderSettings> providers,
        int maxSubmitRetries,
        Duration retryInitialBackoff,
        Duration retryMaxBackoff,
        String pauseRecheckCron,
        String submitWindowOpenCron,
        String submitWindowCloseCron,
        String timeZone,
        boolean resubmitOnUnknownOutcome,
        boolean learnStatusSchedule,
        boolean checkImage,
        Duration imageTimeout,
        long imageMaxBytes,
        int imageMaxSide,
        String imageAllow,
        int imageMaxConcurrent,
        Duration linkLifetime,
        int downloadAttempts,
        Duration downloadTimeout,
        long downloadMaxBytes,
        long intakeMaxBytes,
        Duration keepArchive,
        Duration keepDeadLetters,
        Duration keepJobs,
        Duration claimLease,
        Duration stepLease,
        Duration storeRetryDelay,
        Duration storeRetryMaxDelay,
        Duration storeGiveUpAfter,
        Lookup lookup) {

    /**
     * How a log line names a job's provider: with the pipeline's name when it is not the standalone one, so that
     * two pipelines of one host, which may both have a provider called yesai, are told apart.
     */
    public String who(String provider) {
        return Props.who(pipeline, provider);
    }

    /**
     * How the task of a submit whose answer was lost is looked up where the provider lists tasks
     * ({@code sora.submit.lookup.*}).
     *
     * @param enabled    false: an unknown outcome is settled at once, as where no list exists
     * @param firstDelay provider time from the lost answer to the first page: some gateways list a new task
     *                   only after a while (scaled like every provider duration)
     * @param pageSize   tasks per page (the spec allows up to 100)
     * @param maxPages   pages read per lookup; a window not covered by then settles nothing
     * @param maxFailures pages that may fail (5xx, timeout) before the lookup is given up
     */
    public record Lookup(boolean enabled, Duration firstDelay, int pageSize, int maxPages, int maxFailures) {
    }

    /** @param types the provider types' defaults (the pipeline's {@code ProviderTypes}, found through its context) */
    public static SoraSettings read(Props p, ProviderDefaults types) {
        Map<String, ProviderSettings> providers = new LinkedHashMap<>();
        List<String> names = Arrays.stream(p.string("sora.providers").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        for (String name : names) {
            providers.put(name, ProviderSettings.read(p, name, types));
        }
        String defaultProvider = p.string("sora.default-provider", names.get(0));
        if (!providers.containsKey(defaultProvider)) {
            throw new IllegalStateException("sora.default-provider '" + defaultProvider
                    + "' is not one of sora.providers " + names);
        }
        double scale = p.decimal("sora.time-scale");
        if (!(scale > 0 && scale <= 1)) {
            throw new IllegalStateException("sora.time-scale must be in (0, 1], not " + scale);
        }
        return new SoraSettings(
                p.pipeline(),
                folder(p, "sora.inbox"),
                folder(p, "sora.archive"),
                folder(p, "sora.work"),
                folder(p, "sora.outbox"),
                folder(p, "sora.dead-letter.folder"),
                scale,
                defaultProvider,
                providers,
                p.integer("sora.submit.max-retries"),
                p.duration("sora.retry.initial-backoff"),
                p.duration("sora.retry.max-backoff"),
                p.string("sora.pause.recheck-cron"),
                p.string("sora.submit.window.open-cron"),
                p.string("sora.submit.window.close-cron"),
                p.string("sora.time-zone", java.util.TimeZone.getDefault().getID()),
                p.bool("sora.submit.resubmit-on-unknown-outcome"),
                // false: every task's first check at the provider's minimum, then its interval (see StatusSchedule)
                p.bool("sora.status.learn"),
                p.bool("sora.validation.check-image"),
                p.duration("sora.validation.image-timeout"),
                p.longValue("sora.validation.image-max-bytes"),
                p.integer("sora.validation.image-max-side"),
                // none: only public addresses are fetched (see AddressPolicy)
                p.string("sora.validation.image-allow"),
                p.integer("sora.validation.image-max-concurrent"),
                p.duration("sora.download.link-lifetime"),
                p.integer("sora.download.attempts"),
                p.duration("sora.download.timeout"),
                p.longValue("sora.download.max-bytes"),
                p.longValue("sora.intake.max-file-bytes"),
                Duration.ofDays(p.integer("sora.retention.archive-days")),
                Duration.ofDays(p.integer("sora.retention.dead-letter-days")),
                Duration.ofDays(p.integer("sora.retention.job-days")),
                p.duration("sora.repository.claim-lease"),
                p.duration("sora.repository.step-lease"),
                Duration.ofMillis(p.integer("sora.store.retry-delay-ms")),
                p.duration("sora.store.outage.max-retry-delay"),
                p.duration("sora.store.outage.give-up-after"),
                new Lookup(p.bool("sora.submit.lookup.enabled"),
                        p.duration("sora.submit.lookup.first-delay"),
                        Math.max(1, Math.min(100, p.integer("sora.submit.lookup.page-size"))),
                        Math.max(1, p.integer("sora.submit.lookup.max-pages")),
                        Math.max(0, p.integer("sora.submit.lookup.max-failures"))));
    }

    /**
     * Absolute, also when the default is used (an embedded pipeline may set none): Camel's file "move" reads a
     * relative archive path under the inbox.
     */
    private static Path folder(Props p, String key) {
        return Path.of(p.string(key)).toAbsolutePath().normalize();
    }

    /**
     * A provider-schedule duration as this run uses it: unchanged against a real provider, shrunk by
     * {@code sora.time-scale} against the sandbox, whose clock runs faster by the same factor.
     */
    public Duration scaled(Duration d) {
        return timeScale == 1.0 ? d : Duration.ofNanos(Math.round(d.toNanos() * timeScale));
    }

    public ProviderSettings provider(String name) {
        return providers.get(name);
    }
}
