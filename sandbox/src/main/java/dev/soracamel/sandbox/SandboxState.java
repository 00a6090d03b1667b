package dev.soracamel.sandbox;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated provider: its accounts, and what they share, namely the clock, the sample video, the task
 * numbering and the result links. The first account is the default one, made from the config's token.
 */
final class SandboxState {

    private static final long FIRST_ID = 100_001;
    private static final int VIDEO_ID_BYTES = 24;

    final SandboxConfig config;
    final ProviderClock clock;
    final SandboxStats stats;
    final byte[] sample;

    private final List<SandboxAccount> accounts = new CopyOnWriteArrayList<>();
    /** Every task by its number, for the result links, which carry no bearer token. */
    private final Map<Long, SandboxTask> byNumber = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(FIRST_ID);
    private final Set<String> timeoutOncePrompts = ConcurrentHashMap.newKeySet();
    private final Random random;

    SandboxState(SandboxConfig config, byte[] sample) {
        this.config = config;
        this.clock = new ProviderClock(config.getTimeScale());
        this.sample = sample;
        this.random = new Random(config.getRandomSeed());
        this.stats = SandboxStats.total(this::records, this::accountStats);
        addAccount(config.getToken(), config.getActiveTaskLimit(), config.getRpoints(), config.getDialect());
        for (SandboxConfig.Account a : config.getAccounts()) {
            addAccount(a.token(), a.activeTaskLimit(), -1, a.dialect());
        }
    }

    SandboxAccount defaultAccount() {
        return accounts.get(0);
    }

    synchronized SandboxAccount addAccount(String token, int activeTaskLimit, long credit, Dialect dialect) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        if (activeTaskLimit < 0) {
            throw new IllegalArgumentException("activeTaskLimit must be >= 0");
        }
        if (account(token) != null) {
            throw new IllegalArgumentException("an account with this token exists already");
        }
        SandboxAccount account = new SandboxAccount(token, activeTaskLimit, credit,
                dialect == null ? Dialect.OPENAI : dialect, clock, stats);
        accounts.add(account);
        return account;
    }

    /** Tokens stay unique, or a request could not tell which account it belongs to. */
    synchronized void setToken(SandboxAccount account, String token) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("token must not be blank");
        }
        SandboxAccount holder = account(token);
        if (holder != null && holder != account) {
            throw new IllegalArgumentException("another account has this token");
        }
        account.setToken(token);
    }

    /** The account of exactly this token, or null. */
    SandboxAccount account(String token) {
        for (SandboxAccount a : accounts) {
            if (a.token().equals(token)) {
                return a;
            }
        }
        return null;
    }

    /** The account an Authorization header names, or null. The scheme is case-insensitive (RFC 9110). */
    SandboxAccount authorized(String header) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.length() <= 7 || !h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            return null;
        }
        return account(h.substring(7).trim());
    }

    /** A Yes Ai task: its first-check minimum depends on the version, its generation time on the class too. */
    SandboxTask createYesAi(SandboxAccount account, SubmitRequest request, String customerId)
            throws SandboxAccount.Refused {
        boolean pro = SubmitValidator.VERSION_PRO.equals(request.version());
        double base = (pro ? config.getGenerationSecondsPro() : config.getGenerationSeconds2())
                * (request.resolution() == 1080 ? config.getGenerationFactor1080() : 1.0)
                * (request.duration() == 15 ? config.getGenerationFactor15s() : 1.0);
        return register(account.create(now -> {
            long id = nextId.getAndIncrement();
            return new SandboxTask(id, Long.toString(id), request, null, customerId, account.stats, now,
                    System.currentTimeMillis(),
                    schedule(request.prompt(), SubmitValidator.firstCheckSeconds(request.version()), base,
                            SandboxTask.RECHECK_INTERVAL_SECONDS),
                    downloadToken(), PromptMarkers.videoBytes(request.prompt(), config.getVideoBytes()),
                    PromptMarkers.truncateOnce(request.prompt()));
        }));
    }

    /** A /v1/videos task; the poll interval the API advises is the one its checks are judged by. */
    SandboxTask createVideo(SandboxAccount account, VideoRequest request) throws SandboxAccount.Refused {
        double base = request.model().pro ? config.getGenerationSecondsSora2Pro() : config.getGenerationSecondsSora2();
        return register(account.create(now -> new SandboxTask(nextId.getAndIncrement(), videoId(), null, request,
                null, account.stats, now, System.currentTimeMillis(),
                schedule(request.prompt(), request.model().firstCheckSeconds(), base, config.getPollAfterSeconds()),
                downloadToken(), PromptMarkers.videoBytes(request.prompt(), config.getVideoBytes()),
                PromptMarkers.truncateOnce(request.prompt()))));
    }

    /** Any account's task, for the result links, which name the task by number and carry their own token. */
    SandboxTask findByNumber(long id) {
        return byNumber.get(id);
    }

    private SandboxTask register(SandboxTask task) {
        byNumber.put(task.id, task);
        return task;
    }

    private SandboxTask.Schedule schedule(String prompt, double firstCheck, double base, double recheck) {
        double spread = config.getJitterFraction() * (2 * random.nextDouble() - 1);
        // Jitter never makes a task faster than the first-check minimum: the seeds say it physically is not.
        double generation = Math.max(firstCheck, base * (1 + spread));
        double queue = Math.min(config.getQueueSeconds(), generation);
        return new SandboxTask.Schedule(clock.realNanos(queue), clock.realNanos(generation), finalStatus(prompt),
                clock.realNanos(firstCheck), clock.realNanos(recheck));
    }

    private TaskStatus finalStatus(String prompt) {
        switch (PromptMarkers.outcome(prompt)) {
            case STUCK: return null;
            case REJECT: return TaskStatus.REJECTED;
            case TIMEOUT: return TaskStatus.TIMED_OUT;
            case TIMEOUT_ONCE: return timeoutOncePrompts.add(prompt) ? TaskStatus.TIMED_OUT : TaskStatus.COMPLETED;
            default: return TaskStatus.COMPLETED;
        }
    }

    private static String downloadToken() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** Shaped like OpenAI's ids: "video_" and 48 hex digits. */
    private String videoId() {
        byte[] bytes = new byte[VIDEO_ID_BYTES];
        random.nextBytes(bytes);
        StringBuilder sb = new StringBuilder("video_");
        for (byte b : bytes) {
            sb.append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    /** Every account's tasks, oldest first. */
    private List<TaskRecord> records() {
        List<TaskRecord> all = new ArrayList<>();
        for (SandboxAccount a : accounts) {
            all.addAll(a.records());
        }
        all.sort(Comparator.comparingLong(TaskRecord::id));
        return all;
    }

    private Map<String, SandboxStats> accountStats() {
        Map<String, SandboxStats> m = new LinkedHashMap<>();
        for (SandboxAccount a : accounts) {
            m.put(a.token(), a.stats);
        }
        return m;
    }
}
