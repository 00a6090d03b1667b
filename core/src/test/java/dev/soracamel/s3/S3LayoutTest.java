package dev.soracamel.s3;

import java.util.Properties;

import org.apache.camel.impl.DefaultCamelContext;
import dev.soracamel.config.Props;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3LayoutTest {

    @Test
    void prefixes_are_written_as_s3_keys_use_them() {
        assertThat(S3Settings.prefix("videos")).isEqualTo("videos/");
        assertThat(S3Settings.prefix("/videos/")).isEqualTo("videos/");
        assertThat(S3Settings.prefix(" a/b ")).isEqualTo("a/b/");
        assertThat(S3Settings.prefix("")).isEmpty();
        assertThat(S3Settings.prefix("/")).isEmpty();
    }

    @Test
    void the_bucket_of_an_s3_endpoint_is_read_from_its_uri() {
        assertThat(S3Layout.bucketOf("aws2-s3:media?amazonS3Client=#soraS3")).isEqualTo("media");
        assertThat(S3Layout.bucketOf("aws2-s3://media")).isEqualTo("media");
        assertThat(S3Layout.bucketOf("file:data/outbox?fileExist=Override")).isNull();
    }

    @Test
    void prefixes_are_normalized_for_the_routes() {
        PropertiesComponent pc = properties("sora.intake.s3.enabled", "true", "sora.intake.s3.bucket", "media",
                "sora.intake.s3.prefix", "/requests", "sora.intake.s3.processed-prefix", "done",
                "sora.store.endpoint", "aws2-s3:media?x=1", "sora.store.s3.prefix", "videos");

        S3Layout layout = layout(pc);

        assertThat(layout.storeBucket()).isEqualTo("media");
        assertThat(layout.intakePrefix()).isEqualTo("requests/");
        assertThat(layout.processedPrefix()).isEqualTo("done/");
        assertThat(layout.storePrefix()).isEqualTo("videos/");
    }

    @Test
    void an_intake_that_would_read_its_own_output_is_refused() {
        assertThatThrownBy(() -> layout(properties("sora.intake.s3.enabled", "true",
                "sora.intake.s3.bucket", "media", "sora.intake.s3.prefix", "in/", "sora.intake.s3.processed-prefix", "in/done/")))
                .hasMessageContaining("sora.intake.s3.processed-prefix='in/done/'").hasMessageContaining("overlap");
        assertThatThrownBy(() -> layout(properties("sora.intake.s3.enabled", "true",
                "sora.intake.s3.bucket", "media", "sora.intake.s3.prefix", "")))
                .hasMessageContaining("the whole bucket would be the inbox");
        assertThatThrownBy(() -> layout(properties("sora.intake.s3.enabled", "true",
                "sora.intake.s3.bucket", "media", "sora.dead-letter.endpoint", "aws2-s3:media",
                "sora.dead-letter.s3.prefix", "")))
                .hasMessageContaining("sora.dead-letter.s3.prefix=''");
        assertThatThrownBy(() -> layout(properties("sora.intake.s3.enabled", "true")))
                .hasMessageContaining("sora.intake.s3.bucket is blank");
        assertThatThrownBy(() -> layout(properties("sora.intake.s3.enabled", "true",
                "sora.intake.s3.bucket", "media", "sora.intake.s3.max-objects-per-poll", "20", "sora.s3.max-connections", "20")))
                .hasMessageContaining("sora.intake.s3.max-objects-per-poll must be 1 to 10");
    }

    @Test
    void the_same_prefixes_in_another_bucket_or_without_s3_intake_are_fine() {
        layout(properties("sora.intake.s3.enabled", "true", "sora.intake.s3.bucket", "requests",
                "sora.store.endpoint", "aws2-s3:videos", "sora.store.s3.prefix", "inbox/"));
        layout(properties("sora.store.endpoint", "aws2-s3:media", "sora.store.s3.prefix", ""));
    }

    @Test
    void half_set_credentials_and_a_bad_endpoint_are_reported_when_s3_is_used() {
        assertThatThrownBy(() -> new S3Settings("us-east-1", "", false, "key", "", "when-supported", 50).check())
                .hasMessageContaining("half set");
        assertThatThrownBy(() -> new S3Settings("us-east-1", "127.0.0.1:9000", false, "", "", "when-supported", 50).check())
                .hasMessageContaining("sora.s3.endpoint-override must be a URL");
        assertThat(new S3Settings("us-east-1", "", false, "AKIAEXAMPLE", "very-secret", "when-supported", 50).toString())
                .doesNotContain("very-secret").doesNotContain("AKIAEXAMPLE");
    }

    private static S3Layout layout(PropertiesComponent pc) {
        Props p = new Props(pc::resolveProperty);
        return S3Layout.read(p, p.string("sora.store.endpoint", ""), p.string("sora.dead-letter.endpoint", ""));
    }

    private static PropertiesComponent properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        PropertiesComponent pc = new DefaultCamelContext().getPropertiesComponent();
        pc.setInitialProperties(p);
        return pc;
    }
}
