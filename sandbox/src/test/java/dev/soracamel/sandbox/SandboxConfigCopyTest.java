package dev.soracamel.sandbox;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The server runs on a copy of its configuration: a setting the copy drops is a setting that silently does nothing. */
class SandboxConfigCopyTest {

    @Test
    void a_copy_keeps_every_setting() throws Exception {
        SandboxConfig c = new SandboxConfig().timeScale(0.5).token("t2").activeTaskLimit(7).rpoints(9)
                .queueSeconds(3).generationSeconds2(61).generationSecondsPro(301).generationSecondsSora2(31)
                .generationSecondsSora2Pro(61).pollAfterSeconds(11).dialect(Dialect.GATEWAY).jitterFraction(0.2)
                .randomSeed(7).linkTtlSeconds(100).videoBytes(1234).port(1).submitDelayMs(5).statusDelayMs(6)
                .generationFactor1080(1.3).generationFactor15s(1.4);
        c.account("other", 2, Dialect.OPENAI);
        SandboxConfig copy = c.copy();
        SandboxConfig defaults = new SandboxConfig();
        for (Field f : SandboxConfig.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers())) {
                continue;
            }
            f.setAccessible(true);
            // a setting added later must be set here too, or this test would not see the copy drop it
            assertThat(f.get(c)).as(f.getName() + " set away from its default above").isNotEqualTo(f.get(defaults));
            assertThat(f.get(copy)).as(f.getName()).isEqualTo(f.get(c));
        }
    }
}
