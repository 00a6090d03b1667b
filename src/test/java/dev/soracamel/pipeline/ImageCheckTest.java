package dev.soracamel.pipeline;

import java.time.Duration;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** With the image check on (the default), a reference image that cannot be had costs no API call. */
class ImageCheckTest extends PipelineTestSupport {

    @Override
    protected void configure(Properties p) {
        p.put("sora.validation.check-image", "true");
        p.put("sora.validation.image-timeout", "2s");
        // the test's images are on loopback, which a live run never fetches unless allowed
        p.put("sora.validation.image-allow", "127.0.0.1");
    }

    @Test
    void an_unreachable_image_is_dead_lettered_before_any_paid_call() throws Exception {
        drop("pic.json", request("2", "The first frame comes from a picture", 720, 10, "c")
                .replace("}", ", \"image_url\": \"http://127.0.0.1:1/closed.png\"}"));

        awaitSettled(1, Duration.ofSeconds(20));

        assertThat(error("pic").path("code").asText()).isEqualTo("IMAGE_NOT_FOUND");
        assertThat(sandbox().stats().posts()).isZero();
    }
}
