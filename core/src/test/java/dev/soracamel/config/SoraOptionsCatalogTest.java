package dev.soracamel.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The option catalog knows every key that is written or read, and its defaults are readable. */
class SoraOptionsCatalogTest {

    static final Path ROOT = Path.of("..");
    static final Pattern PROPERTY = Pattern.compile("^#?\\s*(sora\\.[^\\s=:]+)\\s*[=:]\\s*(.*)$");
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(sora\\.[A-Za-z0-9.<>_-]+)(?::([^}]*))?}}");
    static final Pattern READ = Pattern.compile(
            "\\.(?:string|integer|longValue|decimal|bool|duration|find|raw|required)\\(\"(sora\\.[a-z0-9.-]+)\"[,)]");

    @Test
    void every_key_of_the_shipped_properties_is_in_the_catalog() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("config/application.properties")));
        try (Stream<Path> examples = Files.list(ROOT.resolve("config/examples"))) {
            examples.filter(f -> f.toString().endsWith(".properties")).sorted().forEach(files::add);
        }
        Set<String> unknown = new TreeSet<>();
        int keys = 0;
        for (Path f : files) {
            for (String line : Files.readAllLines(f)) {
                Matcher m = PROPERTY.matcher(line.strip());
                if (m.matches()) {
                    keys++;
                    if (SoraOptions.find(m.group(1)).isEmpty()) {
                        unknown.add(f.getFileName() + ": " + m.group(1));
                    }
                }
            }
        }
        assertThat(keys).isGreaterThan(100);
        assertThat(unknown).as("keys the option catalog (SoraOptions) does not know: a typo, or an option to add")
                .isEmpty();
    }

    @Test
    void every_key_the_code_reads_by_name_is_in_the_catalog() throws IOException {
        Set<String> unknown = new TreeSet<>();
        for (String module : List.of("core", "app")) {
            try (Stream<Path> sources = Files.walk(ROOT.resolve(module).resolve("src/main/java"))) {
                for (Path f : sources.filter(s -> s.toString().endsWith(".java")).toList()) {
                    Matcher m = READ.matcher(Files.readString(f));
                    while (m.find()) {
                        if (SoraOptions.find(m.group(1)).isEmpty()) {
                            unknown.add(f.getFileName() + ": " + m.group(1));
                        }
                    }
                }
            }
        }
        assertThat(unknown).isEmpty();
    }

    @Test
    void every_default_reads_as_its_type() {
        for (SoraOptions.Option o : SoraOptions.all()) {
            assertThat(o.description()).as(o.key()).isNotBlank().endsWith(".");
            switch (o.kind()) {
                case VALUE -> {
                    if (!o.value().isEmpty()) {
                        Object parsed = o.type().parse(o.value());
                        assertThat(parsed).as(o.key() + " = " + o.value()).isNotNull();
                    }
                }
                case REQUIRED -> assertThat(o.value()).as(o.key()).isNull();
                case DERIVED -> assertThat(o.value()).as(o.key() + ": how it is derived").isNotBlank();
            }
        }
    }

    @Test
    void a_bad_default_would_be_caught() {
        assertThatThrownBy(() -> SoraOptions.Type.DURATION.parse("5 minutes")).isInstanceOf(RuntimeException.class);
        assertThatThrownBy(() -> SoraOptions.Type.INT.parse("1s")).isInstanceOf(NumberFormatException.class);
        assertThatThrownBy(() -> SoraOptions.Type.BOOLEAN.parse("yes")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void an_unknown_key_read_by_code_fails_with_its_name() {
        Props p = new Props(k -> Optional.empty(), "orders");
        assertThatThrownBy(() -> p.integer("sora.intake.poll-delay"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sora.intake.poll-delay is not in the option catalog");
        assertThatThrownBy(() -> p.find("sora.provider.yesai.tarif"))
                .hasMessageContaining("sora.provider.yesai.tarif is not in the option catalog");
    }

    @Test
    void defaults_come_from_the_catalog_under_any_pipeline_name() {
        Props q = new Props(k -> Optional.ofNullable(Map.of("orders.intake.poll-delay-ms", "250").get(k)), "orders");
        assertThat(q.integer("sora.intake.poll-delay-ms")).isEqualTo(250);
        assertThat(q.integer("sora.intake.read-lock-min-age-ms")).isEqualTo(1000);
        assertThat(q.duration("sora.provider.crazyrouter.poll-interval")).hasSeconds(20);
        assertThat(q.string("sora.notify.endpoint")).isEqualTo("log:sora.notify?level=DEBUG");
        assertThat(q.string("sora.intake.endpoint")).isEmpty();
    }

    @Test
    void a_default_passed_by_code_is_refused_unless_the_catalog_says_it_is_derived() {
        Props p = new Props(k -> Optional.empty());
        assertThat(p.string("sora.default-provider", "openai")).isEqualTo("openai");
        assertThatThrownBy(() -> p.string("sora.inbox", "elsewhere"))
                .hasMessageContaining("sora.inbox has its default in the option catalog");
    }

    @Test
    void the_shipped_properties_restate_no_default() throws IOException {
        Set<String> placeholders = placeholders();
        List<String> restated = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("config/application.properties"))) {
            Matcher m = PROPERTY.matcher(line);
            if (!line.startsWith("#") && m.matches()) {
                SoraOptions.Option o = SoraOptions.get(m.group(1));
                String v = m.group(2).strip();
                // a placeholder sees a default that is a value (SoraOptionsSource), not a blank one
                boolean blankForAPlaceholder = o.value().isBlank() && placeholders.contains(m.group(1));
                if (o.kind() == SoraOptions.Default.VALUE && !blankForAPlaceholder
                        && (v.isEmpty() || v.equalsIgnoreCase(o.value()))) {
                    restated.add(line);
                }
            }
        }
        assertThat(restated).as("config/application.properties lines that only restate the catalog's default: "
                + "write them as '#key =' instead").isEmpty();
    }

    @Test
    void a_placeholder_in_the_shipped_files_names_a_catalog_key_and_no_default_of_its_own() throws IOException {
        List<String> inline = new ArrayList<>();
        int seen = 0;
        for (Path f : shippedFiles()) {
            Matcher m = PLACEHOLDER.matcher(Files.readString(f));
            while (m.find()) {
                seen++;
                SoraOptions.get(m.group(1));
                if (m.group(2) != null) {
                    inline.add(f.getFileName() + ": " + m.group(0));
                }
            }
        }
        assertThat(seen).as("placeholders found in the shipped files").isGreaterThan(5);
        assertThat(inline).as("a {{sora.x}} placeholder sees the catalog's default (SoraOptionsSource): a default "
                + "written beside it is a second copy that can drift").isEmpty();
    }

    private static Set<String> placeholders() throws IOException {
        Set<String> keys = new TreeSet<>();
        for (Path f : shippedFiles()) {
            Matcher m = PLACEHOLDER.matcher(Files.readString(f));
            while (m.find()) {
                keys.add(m.group(1));
            }
        }
        return keys;
    }

    private static List<Path> shippedFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("config/application.properties")));
        try (Stream<Path> routes = Files.walk(ROOT.resolve("routes"))) {
            routes.filter(f -> f.toString().endsWith(".yaml")).sorted().forEach(files::add);
        }
        return files;
    }
}
