package dev.soracamel.flow;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RateGateTest {

    @Test
    void one_call_at_a_time_and_the_next_only_after_the_spacing_from_the_answer() throws Exception {
        long created = System.nanoTime();
        RateGate gate = new RateGate(Duration.ofMillis(200));
        assertThat(gate.tryAcquire()).as("a predecessor may have called just before we started").isFalse();
        while (!gate.tryAcquire()) {
            Thread.onSpinWait();
        }
        assertThat(System.nanoTime() - created).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
        assertThat(gate.tryAcquire()).as("a call is in flight").isFalse();
        Thread.sleep(300); // a slow answer does not earn the next call an early start
        assertThat(gate.tryAcquire()).isFalse();
        gate.release();
        long released = System.nanoTime();
        while (!gate.tryAcquire()) {
            Thread.onSpinWait();
        }
        assertThat(System.nanoTime() - released).isGreaterThanOrEqualTo(Duration.ofMillis(200).toNanos());
    }
}
