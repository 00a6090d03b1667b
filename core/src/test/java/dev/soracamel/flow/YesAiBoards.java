package dev.soracamel.flow;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.BanList;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobRepository;
import dev.soracamel.provider.ProviderTypes;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.validate.YesAiCatalog;

/** Job boards on a Yes Ai provider that no call reaches (a closed loopback port), for tests of the board's rules. */
final class YesAiBoards {

    private YesAiBoards() {
    }

    /** Tariff 3 and a token at 127.0.0.1:9, with {@code overrides} on top. */
    static SoraSettings settings(Map<String, String> overrides) {
        Map<String, String> p = new HashMap<>(Map.of(
                "sora.provider.yesai.base-url", "http://127.0.0.1:9",
                "sora.provider.yesai.token", "t",
                "sora.provider.yesai.tariff", "3"));
        p.putAll(overrides);
        return SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))), ProviderTypes.onClasspath());
    }

    /** A board over {@code repo}, with its ban list at {@code bans}, not started (no recovery has run). */
    static JobBoard create(SoraSettings s, JobRepository repo, Path bans, ObjectMapper json) throws Exception {
        try (var in = YesAiBoards.class.getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            YesAiAdapter a = new YesAiAdapter(s.provider("yesai"), YesAiCatalog.read(in), json);
            return new JobBoard(s, repo, new BanList(bans), Map.of("yesai", a));
        }
    }

    /** The same, started. */
    static JobBoard start(SoraSettings s, JobRepository repo, Path bans, ObjectMapper json) throws Exception {
        JobBoard b = create(s, repo, bans, json);
        b.start();
        return b;
    }

    /** A version "2", 720p, 10 s job of customer "c". */
    static Job job(ObjectMapper json, String id) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.customerId = "c";
        j.model = "2";
        j.source = "test";
        j.request = json.createObjectNode().put("version", "2").put("resolution", 720).put("duration", 10);
        return j;
    }
}
