package dev.soracamel.flow;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.job.PgJobRepository;
import dev.soracamel.job.PgTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** A redrive on the PostgreSQL repository: one node's redrive is every node's, and two at once make one. */
class RedrivePgTest {

    @RegisterExtension
    static final PgSchema pg = new PgSchema("redrive_pg");
    final ObjectMapper json = SoraPipeline.jsonMapper();
    final List<JobBoard> nodes = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        nodes.forEach(n -> n.repository().close());
    }

    JobBoard node() throws Exception {
        PgJobRepository repo = PgTestDatabase.open(pg.url(), "sora", 3);
        JobBoard b = YesAiBoards.start(YesAiBoards.settings(Map.of()), repo, dir.resolve(nodes.size() + "-bans.txt"), json);
        nodes.add(b);
        return b;
    }

    Job dead(String id, String code) {
        return RedriveTest.deadJob(json, id, code);
    }

    @Test
    void a_redrive_on_one_node_is_seen_by_the_other_and_not_done_again_there() throws Exception {
        JobBoard a = node();
        JobBoard b = node();
        assertThat(a.repository().create(dead("cat", "POLL_ATTEMPTS_EXHAUSTED"))).isTrue();

        assertThat(a.redrive("cat", false, "node a").outcome()).isEqualTo("redriven");

        Job seen = b.find("cat").orElseThrow();
        assertThat(seen.state).isEqualTo(JobState.QUEUED);
        assertThat(seen.redrive.by).isEqualTo("node a");
        assertThat(seen.charges).hasSize(1);
        assertThat(b.redrive("cat", false, "node b").outcome()).isEqualTo("unchanged");
        assertThat(b.find("cat").orElseThrow().version).isEqualTo(seen.version);
    }

    @Test
    void two_nodes_redriving_one_job_at_once_make_exactly_one_redrive() throws Exception {
        JobBoard a = node();
        JobBoard b = node();
        for (int i = 0; i < 10; i++) {
            a.repository().create(dead("j" + i, "BUDGET_EXCEEDED"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 10; i++) {
                String id = "j" + i;
                Callable<String> onA = () -> a.redrive(id, false, "a").outcome();
                Callable<String> onB = () -> b.redrive(id, false, "b").outcome();
                Future<String> fa = pool.submit(onA);
                Future<String> fb = pool.submit(onB);
                List<String> outcomes = List.of(fa.get(), fb.get());
                assertThat(outcomes).as(id).containsExactlyInAnyOrder("redriven", "unchanged");
                assertThat(a.find(id).orElseThrow().redrive.count).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
