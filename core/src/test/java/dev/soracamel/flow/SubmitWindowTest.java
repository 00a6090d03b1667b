package dev.soracamel.flow;

import java.time.Instant;
import java.util.TimeZone;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SubmitWindowTest {

    final TimeZone utc = TimeZone.getTimeZone("UTC");

    @Test
    void a_night_window_is_open_from_22_to_6() {
        SubmitWindow nights = SubmitWindow.of("0 0 22 * * ?", "0 0 6 * * ?", utc);
        assertThat(nights.isOpen(Instant.parse("2026-11-21T23:30:00Z"))).isTrue();
        assertThat(nights.isOpen(Instant.parse("2026-11-21T03:00:00Z"))).isTrue();
        assertThat(nights.isOpen(Instant.parse("2026-11-21T06:00:01Z"))).isFalse();
        assertThat(nights.isOpen(Instant.parse("2026-11-21T12:00:00Z"))).isFalse();
        assertThat(nights.nextOpen(Instant.parse("2026-11-21T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-21T22:00:00Z"));
    }

    @Test
    void no_crons_means_always_open_and_half_a_window_is_an_error() {
        assertThat(SubmitWindow.of("", " ", utc)).isNull();
        assertThatThrownBy(() -> SubmitWindow.of("0 0 22 * * ?", "", utc)).hasMessageContaining("both");
        assertThatThrownBy(() -> SubmitWindow.of("every night", "0 0 6 * * ?", utc)).hasMessageContaining("cron");
    }
}
