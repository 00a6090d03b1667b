package dev.soracamel.flow;

import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.BanList;
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.validate.YesAiCatalog;
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
        Map<String, String> p = Map.of(
                "sora.provider.yesai.base-url", "http://127.0.0.1:9",
                "sora.provider.yesai.token", "t",
                "sora.provider.yesai.tariff", "3",
                "sora.provider.yesai.submit-spacing", "0ms",
                "sora.retry.initial-backoff", "1ms",
                "sora.submit.resubmit-on-unknown-outcome", "true");
        SoraSettings s = SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))));
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            ProviderAdapter a = new YesAiAdapter(s.provider("yesai"), YesAiCatalog.read(in), json);
            JobBoard b = new JobBoard(s, new FileJobRepository(dir, json), new BanList(dir.resolve("bans.txt")),
                    Map.of("yesai", a));
            b.start();
            return b;
        }
    }

    Job job(String id) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.customerId = "c";
        j.model = "2";
        j.source = "test";
        j.request = json.createObjectNode().put("version", "2").put("resolution", 720).put("duration", 10);
        return j;
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
