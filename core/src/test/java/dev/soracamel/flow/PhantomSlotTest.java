package dev.soracamel.flow;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every task the provider may be running for a job counts against the tariff: with resubmits after lost answers
 * allowed, each lost answer leaves one more task behind, beside the one the job submits next.
 */
class PhantomSlotTest {

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();
    JobBoard board;

    @AfterEach
    void close() {
        board.repository().close();
    }

    JobBoard board() throws Exception {
        SoraSettings s = YesAiBoards.settings(Map.of(
                "sora.provider.yesai.submit-spacing", "0ms",
                "sora.retry.initial-backoff", "1ms",
                "sora.submit.resubmit-on-unknown-outcome", "true"));
        return YesAiBoards.start(s, new FileJobRepository(dir, json), dir.resolve("bans.txt"), json);
    }

    Job job(String id) {
        return YesAiBoards.job(json, id);
    }

    JobBoard.Pick pick() throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            JobBoard.Pick p = board.pickSubmit("yesai");
            if (p != null) {
                return p;
            }
            Thread.sleep(5);
        }
        return null;
    }

    @Test
    void each_lost_answer_keeps_its_task_counted_beside_the_resubmit() throws Exception {
        board = board();
        board.accept(job("lossy"));
        board.accept(job("other"));

        JobBoard.Pick first = pick();
        assertThat(first.job().requestId).isEqualTo("lossy");
        board.submitFailed(first.job(), new SocketTimeoutException("no answer")); // the task may exist
        assertThat(board.queries().providerViews().get(0).active()).as("one task may run").isEqualTo(1);

        JobBoard.Pick second = pick();
        assertThat(second.job().requestId).as("resubmitted first: it waited its turn").isEqualTo("lossy");
        assertThat(board.queries().providerViews().get(0).active()).as("the lost task and the new submit")
                .isEqualTo(2);
        board.submitFailed(second.job(), new SocketTimeoutException("no answer again"));
        Job lossy = board.find("lossy").orElseThrow();
        assertThat(lossy.state).isEqualTo(JobState.QUEUED);
        assertThat(lossy.phantomSlots).isEqualTo(2);
        assertThat(lossy.slotHeldUntil).as("counted from when the last lost submit left: 60 s + 60 x 20 s")
                .isEqualTo(lossy.submitSentAt.plus(java.time.Duration.ofMinutes(21)));
        assertThat(board.queries().providerViews().get(0).active()).as("two tasks may run").isEqualTo(2);

        JobBoard.Pick third = pick();
        assertThat(board.queries().providerViews().get(0).active()).isEqualTo(3);
        assertThat(board.pickSubmit("yesai")).as("tariff 3: two lost tasks and one on the wire fill it").isNull();
        assertThat(third).isNotNull();
    }
}
