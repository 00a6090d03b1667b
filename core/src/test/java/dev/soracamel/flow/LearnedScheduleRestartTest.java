package dev.soracamel.flow;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What the status schedule learned lives in the repository's account record: a restart plans from it. */
class LearnedScheduleRestartTest {

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();
    JobBoard board;

    @AfterEach
    void close() {
        if (board != null) {
            board.repository().close();
        }
    }

    JobBoard board() throws Exception {
        // a clock 1000 times faster: the 60 s first-check minimum lasts 60 ms, the 20 s interval 20 ms
        SoraSettings s = YesAiBoards.settings(Map.of(
                "sora.provider.yesai.submit-spacing", "0ms",
                "sora.provider.yesai.status-spacing", "0ms",
                "sora.time-scale", "0.001"));
        return YesAiBoards.start(s, new FileJobRepository(dir, json), dir.resolve("bans.txt"), json);
    }

    Job job(String id) {
        return YesAiBoards.job(json, id);
    }

    Job submitted(String id) throws Exception {
        board.accept(job(id));
        for (int i = 0; i < 200; i++) {
            JobBoard.Pick p = board.pickSubmit("yesai");
            if (p != null) {
                board.submitAnswered(p.job(), SubmitResult.created("task-" + id));
                return board.find(id).orElseThrow();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no submit picked");
    }

    @Test
    void a_restarted_node_plans_the_first_check_from_what_was_learned_before() throws Exception {
        board = board();
        Job first = submitted("a");
        assertThat(Duration.between(first.submittedAt, first.nextCheckAt)).as("nothing learned: the minimum")
                .isEqualTo(Duration.ofMillis(60));
        JobBoard.Pick check = null;
        for (int i = 0; i < 200 && check == null; i++) {
            check = board.pickStatusCheck("yesai");
            Thread.sleep(5);
        }
        assertThat(check).isNotNull();
        // not done at the minimum: the class's plan moves to where the next check will look
        board.statusAnswered(check.job(), StatusResult.of(StatusResult.Kind.WAITING, "1", 200));
        long learned = board.queries().learned("yesai").get("2/720/10").firstCheckMs;
        assertThat(learned).as("the check's own moment after the submit, plus the interval").isGreaterThanOrEqualTo(80L);
        board.repository().close();

        board = board();
        Job second = submitted("b");
        assertThat(Duration.between(second.submittedAt, second.nextCheckAt)).as("learned before the restart")
                .isEqualTo(Duration.ofMillis(learned));
        assertThat(second.checkPlan).contains("learned for 2/720/10");
    }
}
