package dev.soracamel.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;

/** Opens the job repository a pipeline's properties name ({@code sora.repository.*}). */
public final class JobRepositories {

    private JobRepositories() {
    }

    public static JobRepository open(Props p, SoraSettings s, ObjectMapper json) {
        String type = p.string("sora.repository.type", "file");
        return switch (type) {
            case "file" -> new FileJobRepository(s.work(), json);
            default -> throw new IllegalStateException(p.key("sora.repository.type") + " is '" + type
                    + "'; it is file (one node) or postgresql (several nodes)");
        };
    }
}
