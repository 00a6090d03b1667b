package dev.soracamel.flow;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.Account;
import dev.soracamel.job.Account.Call;
import dev.soracamel.provider.ProviderTypes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The call gates, pauses and backoff of one account, as every node applies them to the shared record. */
class AccountRulesTest {

    final SoraSettings sora = SoraSettings.read(new Props(k -> Optional.ofNullable(Map.of(
            "sora.provider.yesai.token", "t",
            "sora.provider.yesai.submit-spacing", "1s",
            "sora.provider.yesai.status-spacing", "2s",
            "sora.repository.claim-lease", "5s").get(k))), ProviderTypes.onClasspath());
    final AccountRules rules = new AccountRules(sora.provider("yesai"), sora);
    final Instant t0 = Instant.parse("2026-11-29T10:00:00Z");

    @Test
    void one_call_at_a_time_and_the_next_one_spacing_after_the_answer() {
        Account a = new Account("k");
        assertThat(rules.mayCall(a, Call.SUBMIT, t0)).isTrue();
        rules.take(a, Call.SUBMIT, t0, "node-a");
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plusMillis(100))).as("a call is on the wire").isFalse();
        assertThat(rules.mayCall(a, Call.STATUS, t0.plusMillis(100))).as("the other kind has its own gate").isTrue();
        // a slow answer does not earn the next call an early start
        Instant answered = t0.plusSeconds(3);
        rules.release(a, Call.SUBMIT, answered, "node-a");
        assertThat(rules.mayCall(a, Call.SUBMIT, answered.plusMillis(999))).isFalse();
        assertThat(rules.mayCall(a, Call.SUBMIT, answered.plusSeconds(1))).isTrue();
    }

    @Test
    void a_gate_whose_holder_died_opens_one_spacing_after_its_lease() {
        Account a = new Account("k");
        rules.take(a, Call.STATUS, t0, "node-a"); // node-a is killed here
        assertThat(rules.mayCall(a, Call.STATUS, t0.plusSeconds(5))).as("lease 5 s: it may still be sending").isFalse();
        assertThat(rules.mayCall(a, Call.STATUS, t0.plusMillis(6999))).isFalse();
        assertThat(rules.mayCall(a, Call.STATUS, t0.plusSeconds(7))).as("lease plus the 2 s spacing").isTrue();
        rules.take(a, Call.STATUS, t0.plusSeconds(7), "node-b");
        // node-a wakes up and its answer comes: it must not free node-b's gate, but pushes the next call on
        rules.release(a, Call.STATUS, t0.plusSeconds(8), "node-a");
        assertThat(a.statusBusyBy).isEqualTo("node-b");
        assertThat(rules.nextCallAt(a, Call.STATUS)).isEqualTo(t0.plusSeconds(14));
        rules.release(a, Call.STATUS, t0.plusSeconds(9), "node-b");
        assertThat(rules.nextCallAt(a, Call.STATUS)).isEqualTo(t0.plusSeconds(11));
    }

    @Test
    void a_lone_process_that_restarts_waits_one_spacing_whatever_its_predecessor_had_on_the_wire() {
        Account a = new Account("k");
        rules.take(a, Call.SUBMIT, t0, "dead");
        rules.restarted(a, t0.plusMillis(200));
        assertThat(a.submitBusyBy).isNull();
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plusMillis(1199))).isFalse();
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plusMillis(1200))).isTrue();
    }

    @Test
    void a_pause_holds_until_the_recheck_and_only_a_submit_lifts_one_for_no_credit() {
        Account a = new Account("k");
        rules.pause(a, t0, "NOT_ENOUGH_RPOINTS", "no credit", false, 3);
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plus(Duration.ofDays(1)))).isFalse();
        assertThat(rules.mayCall(a, Call.STATUS, t0.plusSeconds(1))).as("running tasks are still checked").isTrue();
        rules.resumeIfPaused(a, false);
        assertThat(a.pauseCode).as("a status check proves nothing about credit").isEqualTo("NOT_ENOUGH_RPOINTS");
        assertThat(rules.recheck(a, t0.plusSeconds(60))).isTrue();
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plusSeconds(60))).as("the next submit is the probe").isTrue();
        rules.resumeIfPaused(a, true);
        assertThat(a.pauseCode).isNull();
    }

    @Test
    void backoff_doubles_and_a_providers_wait_wins_when_longer() {
        Account a = new Account("k");
        Duration first = rules.backoff(a, Call.SUBMIT, t0, null);
        Duration second = rules.backoff(a, Call.SUBMIT, t0, null);
        assertThat(second).isEqualTo(first.multipliedBy(2));
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plus(second).minusMillis(1))).isFalse();
        Duration asked = rules.backoff(a, Call.SUBMIT, t0, Duration.ofMinutes(3));
        assertThat(asked).isEqualTo(Duration.ofMinutes(3));
        rules.clearBackoff(a, Call.SUBMIT);
        assertThat(a.submitBackoffLevel).isZero();
    }

    @Test
    void a_node_waiting_for_a_slow_answer_keeps_the_gate_and_a_dead_one_does_not() {
        Account a = new Account("k");
        rules.take(a, Call.SUBMIT, t0, "node-a");
        assertThat(rules.waitingForAnAnswer()).isTrue();
        // the provider takes 20 s to answer: node-a renews every third of the lease
        for (int s = 2; s <= 20; s += 2) {
            rules.renew(a, t0.plusSeconds(s), "node-a");
            assertThat(rules.mayCall(a, Call.SUBMIT, t0.plusSeconds(s).plusMillis(1500)))
                    .as("no other node's submit while the first waits for its answer (%d s)", s).isFalse();
        }
        rules.release(a, Call.SUBMIT, t0.plusSeconds(20), "node-a");
        assertThat(rules.waitingForAnAnswer()).isFalse();
        rules.renew(a, t0.plusSeconds(21), "node-a");
        assertThat(a.submitBusyUntil).as("nothing left to renew").isNull();
        assertThat(rules.mayCall(a, Call.SUBMIT, t0.plusSeconds(21))).isTrue();

        // another node's gate is never renewed by this one
        Account b = new Account("k2");
        rules.take(b, Call.STATUS, t0, "node-a");
        b.statusBusyBy = "node-b";
        rules.renew(b, t0.plusSeconds(4), "node-a");
        assertThat(b.statusBusyUntil).isEqualTo(t0.plusSeconds(5));
    }
}
