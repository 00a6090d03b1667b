package dev.soracamel.component;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's option table of the sora: component is the one rendered from the generated component JSON. */
class SoraOptionsTableTest {

    @Test
    void the_readme_table_is_the_one_rendered_from_the_component_json() throws Exception {
        String rendered = SoraOptionsTable.render();
        assertThat(rendered).contains("| `pipeline` | path | required |").contains("| `event` | endpoint (consumer)")
                .contains("| `autoInstall` | component | `true` |");
        assertThat(SoraOptionsTable.current(Files.readString(Path.of("README.md"))))
                .as("README.md's sora: option table; regenerate it with: mvn -o -q compile exec:java "
                        + "-Dmain.class=dev.soracamel.component.SoraOptionsTable")
                .isEqualTo(rendered);
    }
}
