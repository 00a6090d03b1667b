package dev.soracamel.flow;

import java.time.Duration;
import java.time.Instant;

import dev.soracamel.config.ProviderSettings;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.Account;
import dev.soracamel.job.Account.Call;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules of one provider account, applied to its {@link Account} record inside the repository's account
 * transaction: when the next submit or status check may leave, pauses and backoff. Nothing here is kept in
 * memory, so every node of a cluster, and a restarted process, applies the same rules to the same record.
 * <p>
 * A call gate lets one call out at a time, and the next not before the spacing after the previous <em>answer</em>:
 * the provider saw the previous call before it answered it, and sees the next after we send it, so the limit holds
 * at its end whatever the network does. A node that claims a call gets {@code claimLease} to put it on the wire; if
 * it dies or stalls without releasing, the next call waits for the lease to lapse plus the spacing. A claim older
 * than its lease is never sent (see {@link ClaimGuard}).
 */
final class AccountRules {

    private static final Logger LOG = LoggerFactory.getLogger("sora.jobs");

    final ProviderSettings settings;
    private final SoraSettings sora;
    private final Duration submitSpacing;
    private final Duration statusSpacing;

    AccountRules(ProviderSettings settings, SoraSettings sora) {
        this.settings = settings;
        this.sora = sora;
        this.submitSpacing = sora.scaled(settings.submitSpacing());
        this.statusSpacing = sora.scaled(settings.statusSpacing());
    }

    String key() {
        return settings.account();
    }

    Duration spacing(Call call) {
        return call == Call.SUBMIT ? submitSpacing : statusSpacing;
    }

    /** The earliest instant the account's next call of this kind may leave; null: now. */
    Instant nextCallAt(Account a, Call call) {
        Instant next = call == Call.SUBMIT ? a.nextSubmitAt : a.nextStatusAt;
        Instant busy = call == Call.SUBMIT ? a.submitBusyUntil : a.statusBusyUntil;
        Instant backoff = call == Call.SUBMIT ? a.submitBackoffUntil : a.statusBackoffUntil;
        return latest(latest(next, busy == null ? null : busy.plus(spacing(call))), backoff);
    }

    /** Whether a call of this kind may be claimed now: not paused, not backing off, the gate open. */
    boolean mayCall(Account a, Call call, Instant now) {
        if (call == Call.SUBMIT ? a.submitsPaused(now) : a.statusPaused(now)) {
            return false;
        }
        Instant next = nextCallAt(a, call);
        return next == null || !next.isAfter(now);
    }

    /**
     * Until when (this JVM's {@link System#nanoTime()}) this node has a call of each kind on the wire, or 0: while
     * it waits for a slow answer it renews the gate's lease ({@link #renew}), so that no other node sends the next
     * call before the answer came; a node that died or stalled stops renewing, and the lease lapses.
     */
    private volatile long submitOnTheWire;
    private volatile long statusOnTheWire;

    /** Takes the gate for a call: until the lease lapses, no other node sends one of this kind. */
    void take(Account a, Call call, Instant now, String node) {
        long callEnds = System.nanoTime() + sora.claimLease().plus(settings.connectTimeout())
                .plus(settings.responseTimeout()).toNanos();
        if (call == Call.SUBMIT) {
            submitOnTheWire = callEnds;
        } else {
            statusOnTheWire = callEnds;
        }
        Instant until = now.plus(sora.claimLease());
        if (call == Call.SUBMIT) {
            a.submitBusyUntil = until;
            a.submitBusyBy = node;
        } else {
            a.statusBusyUntil = until;
            a.statusBusyBy = node;
        }
    }

    /**
     * The call this node claimed was answered (or never left): the next may go one spacing from now. A gate that
     * another node took after this node's lease lapsed is left alone; the spacing still counts from now.
     */
    void release(Account a, Call call, Instant now, String node) {
        if (call == Call.SUBMIT) {
            submitOnTheWire = 0;
        } else {
            statusOnTheWire = 0;
        }
        Instant next = now.plus(spacing(call));
        if (call == Call.SUBMIT) {
            if (node.equals(a.submitBusyBy)) {
                a.submitBusyUntil = null;
                a.submitBusyBy = null;
            }
            a.nextSubmitAt = latest(a.nextSubmitAt, next);
        } else {
            if (node.equals(a.statusBusyBy)) {
                a.statusBusyUntil = null;
                a.statusBusyBy = null;
            }
            a.nextStatusAt = latest(a.nextStatusAt, next);
        }
    }

    /** Whether this node waits for an answer of this account's, and so has a gate to renew. */
    boolean waitingForAnAnswer() {
        long t = System.nanoTime();
        return (submitOnTheWire != 0 && t - submitOnTheWire < 0) || (statusOnTheWire != 0 && t - statusOnTheWire < 0);
    }

    /**
     * Renews the lease of the gates this node holds for calls still waiting for their answer (never past the
     * call's own timeouts). A provider that answers slowly then never sees a second call before the first was
     * answered, whatever the lease; a node that dies stops renewing and the others go on after the lease.
     */
    void renew(Account a, Instant now, String node) {
        long t = System.nanoTime();
        Instant until = now.plus(sora.claimLease());
        if (submitOnTheWire != 0 && t - submitOnTheWire < 0 && node.equals(a.submitBusyBy)) {
            a.submitBusyUntil = latest(a.submitBusyUntil, until);
        }
        if (statusOnTheWire != 0 && t - statusOnTheWire < 0 && node.equals(a.statusBusyBy)) {
            a.statusBusyUntil = latest(a.statusBusyUntil, until);
        }
    }

    /**
     * At the start of a process that is the only one on the repository: calls its predecessor had on the wire
     * are over (the process is gone), but may have reached the provider just before it died, and so may a call
     * made just before a quick restart: the next call of each kind waits one spacing from now.
     */
    void restarted(Account a, Instant now) {
        a.submitBusyUntil = null;
        a.submitBusyBy = null;
        a.statusBusyUntil = null;
        a.statusBusyBy = null;
        a.nextSubmitAt = latest(a.nextSubmitAt, now.plus(submitSpacing));
        a.nextStatusAt = latest(a.nextStatusAt, now.plus(statusSpacing));
    }

    // ---------------------------------------------------------------- backoff

    Duration backoff(Account a, Call call, Instant now, Duration providerWait) {
        int level = call == Call.SUBMIT ? ++a.submitBackoffLevel : ++a.statusBackoffLevel;
        Duration wait = atLeast(backoff(sora, level), providerWait);
        if (call == Call.SUBMIT) {
            a.submitBackoffUntil = now.plus(wait);
        } else {
            a.statusBackoffUntil = now.plus(wait);
        }
        return wait;
    }

    void clearBackoff(Account a, Call call) {
        if (call == Call.SUBMIT) {
            a.submitBackoffLevel = 0;
        } else {
            a.statusBackoffLevel = 0;
        }
    }

    static Duration backoff(SoraSettings sora, int level) {
        long initial = sora.scaled(sora.retryInitialBackoff()).toMillis();
        long max = sora.scaled(sora.retryMaxBackoff()).toMillis();
        long d = initial << Math.min(Math.max(level - 1, 0), 20);
        return Duration.ofMillis(Math.min(Math.max(d, 1), Math.max(max, 1)));
    }

    // ---------------------------------------------------------------- pause

    /**
     * A pause lasts until the next re-check ({@code sora.pause.recheck-cron}): then the next submit is the probe;
     * if it fails the same way, the pause starts again.
     */
    void pause(Account a, Instant now, String code, String message, boolean alsoStatus, int waiting) {
        boolean wasPaused = a.pauseCode != null;
        a.submitPausedUntil = Instant.MAX;
        if (alsoStatus) {
            a.statusPausedUntil = Instant.MAX;
        }
        a.pauseCode = code;
        a.pauseMessage = message;
        a.pauseStopsStatus = alsoStatus;
        if (!wasPaused) {
            a.pausedSince = now; // observe: shown by the readiness check
        }
        LOG.error("PAUSED provider {}: {} ({}). {} jobs wait, nothing is dead-lettered; re-checked on the cron "
                        + "'{}'{}", settings.name(), code, message, waiting, sora.pauseRecheckCron(),
                wasPaused ? " (still failing)" : "");
    }

    /**
     * A call that went through lifts the pause, if it proves the problem is over: any call for a refused token,
     * only a submit for no credit (status checks of running tasks go through while the account is empty).
     */
    void resumeIfPaused(Account a, boolean bySubmit) {
        if (a.pauseCode != null && (bySubmit || a.pauseStopsStatus)) {
            LOG.warn("RESUMED provider {}: the {} went through, the {} problem is over", settings.name(),
                    bySubmit ? "submit" : "status check", a.pauseCode);
            a.pauseCode = null;
            a.pauseMessage = null;
            a.pausedSince = null;
            a.pauseStopsStatus = false;
            a.submitPausedUntil = null;
            a.statusPausedUntil = null;
        }
    }

    /** The re-check clock: a paused account may try again now (the next submit is the probe). */
    boolean recheck(Account a, Instant now) {
        if (a.paused(now)) {
            LOG.warn("re-checking paused provider {} ({})", settings.name(), a.pauseCode);
            a.submitPausedUntil = now;
            a.statusPausedUntil = now;
            return true;
        }
        return false;
    }

    // ----------------------------------------------------------------

    static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** {@code d}, or the provider's own wait when it asked for longer. */
    static Duration atLeast(Duration d, Duration providerWait) {
        return providerWait == null ? d : max(d, providerWait);
    }
}
