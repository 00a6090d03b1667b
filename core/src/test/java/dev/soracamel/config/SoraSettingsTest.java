package dev.soracamel.config;

import java.util.Map;
import java.util.Optional;

import dev.soracamel.provider.ProviderTypes;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SoraSettingsTest {

    @Test
    void folders_are_absolute_also_when_a_pipeline_sets_none() {
        Map<String, String> only = Map.of("orders.provider.yesai.token", "t");
        SoraSettings s = SoraSettings.read(new Props(k -> Optional.ofNullable(only.get(k)), "orders"), ProviderTypes.onClasspath());

        // Camel's file "move" would read a relative archive under the inbox
        assertThat(s.inbox()).isAbsolute();
        assertThat(s.archive()).isAbsolute();
        assertThat(s.archive().startsWith(s.inbox())).isFalse();
        assertThat(s.work()).isAbsolute();
        assertThat(s.provider("yesai").baseUrl().toString()).isEqualTo("https://api.yesai.su");
    }
}
