package dev.soracamel.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;

/** Opens the job repository a pipeline's properties name ({@code sora.repository.*}). */
public final class JobRepositories {

    private JobRepositories() {
    }

    public static JobRepository open(Props p, SoraSettings s, ObjectMapper json) {
        String type = p.string("sora.repository.type");
        return switch (type) {
            case "file" -> new FileJobRepository(s.work(), json);
            // named only here: a host on the file repository never loads the optional PostgreSQL classes
            case "postgresql" -> PgJobRepository.open(
                    p.string("sora.repository.url"),
                    p.string("sora.repository.user"),
                    p.string("sora.repository.password"),
                    p.integer("sora.repository.pool-size"),
                    s.pipeline(), json);
            default -> throw new IllegalStateException(p.key("sora.repository.type") + " is '" + type
                    + "'; it is file (one node) or postgresql (several nodes)");
        };
    }
}
