package dev.soracamel.component;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's option table of the sora: component is the one rendered from the generated component JSON. */
class SoraOptionsTableTest {

    static final String REWRITE = "mvn -q -B -pl core -am test -Dtest=SoraOptionsTableTest "
            + "-Dsurefire.failIfNoSpecifiedTests=false -Dsora.options.write=true";

    @Test
    void the_readme_table_is_the_one_rendered_from_the_component_json() throws Exception {
        String rendered = SoraOptionsTable.render();
        assertThat(rendered).contains("| `pipeline` | path | required |").contains("| `event` | endpoint (consumer)")
                .contains("| `autoInstall` | component | `true` |");
        assertThat(SoraOptionsTable.SECTION.sync(Path.of("..", "README.md"), rendered))
                .as("README.md's sora: option table; rewrite it with: " + REWRITE)
                .isEqualTo(rendered);
    }
}
