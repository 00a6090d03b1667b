package dev.soracamel.config;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/OPTIONS.md lists the pipeline's options as the catalog has them. */
class SoraOptionsDocTest {

    static final String REWRITE = "mvn -q -B -pl core -am test -Dtest=SoraOptionsDocTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dsora.options.write=true";

    @Test
    void the_options_table_is_the_one_rendered_from_the_catalog() throws Exception {
        String rendered = SoraOptionsDoc.render();
        assertThat(rendered).contains("| `sora.intake.poll-delay-ms` | int | `500` |")
                .contains("| `sora.provider.<name>.tariff` | string | `start` |");
        assertThat(SoraOptionsDoc.SECTION.sync(Path.of("..", "docs", "OPTIONS.md"), rendered))
                .as("docs/OPTIONS.md's option tables; rewrite them with: " + REWRITE)
                .isEqualTo(rendered);
    }
}
