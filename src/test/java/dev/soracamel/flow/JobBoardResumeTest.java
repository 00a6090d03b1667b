package dev.soracamel.flow;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.BanList;
import dev.soracamel.job.FileJobStore;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What a restart does with each state a killed process can leave behind. */
class JobBoardResumeTest {

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();

    SoraSettings settings(int tariff) {
        Map<String, String> p = Map.of(
                "sora.provider.yesai.base-url", "http://127.0.0.1:9",
                "sora.provider.yesai.token", "t",
                "sora.provider.yesai.tariff", String.valueOf(tariff),
                "sora.provider.yesai.submit-spacing", "0ms");
        return SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))));
    }

    JobBoard board(SoraSettings s) throws Exception {
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            ProviderAdapter a = new YesAiAdapter(s.provider("yesai"), YesAiCatalog.read(in), json);
            return new JobBoard(s, new FileJobStore(dir, json), new BanList(dir.resolve("bans.txt")),
                    Map.of("yesai", a));
        }
    }

    Job job(String id, JobState state) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.customerId = "c";
        j.model = "2";
        j.request = json.createObjectNode().put("version", "2");
        j.state = state;
        j.seq = id.hashCode() & 0xffff;
        return j;
    }

    @Test
    void every_left_over_state_is_finished_or_resumed_and_none_is_submitted_twice() throws Exception {
        FileJobStore store = new FileJobStore(dir, json);
        store.create(job("queued", JobState.QUEUED));
        Job polling = job("polling", JobState.POLLING);
        polling.taskId = "7";
        polling.statusChecks = 12;
        polling.nextCheckAt = Instant.now().plusSeconds(30);
        store.create(polling);
        store.create(job("on-the-wire", JobState.SUBMITTING));
        Job fresh = job("fresh-link", JobState.DOWNLOADING);
        fresh.completedSeenAt = Instant.now().minusSeconds(60);
        store.create(fresh);
        Job stale = job("stale-link", JobState.DOWNLOADING);
        stale.completedSeenAt = Instant.now().minusSeconds(2 * 3600);
        store.create(stale);
        Job unwritten = job("unwritten", JobState.DEAD);
        store.create(unwritten);
        store.create(job("done", JobState.STORED));

        JobBoard board = board(settings(3));
        JobBoard.Resume r = board.resume();

        assertThat(r.downloads()).containsExactly("fresh-link");
        assertThat(r.deadLetters()).containsExactlyInAnyOrder("on-the-wire", "stale-link", "unwritten");
        assertThat(board.find("on-the-wire").orElseThrow().deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(board.find("stale-link").orElseThrow().deadCode).isEqualTo("RESULT_LINK_EXPIRED");
        Job p = board.find("polling").orElseThrow();
        assertThat(p.state).isEqualTo(JobState.POLLING);
        assertThat(p.taskId).isEqualTo("7");
        assertThat(p.statusChecks).isEqualTo(12);
        // active: the polling job, and the slot the unknown submit may still hold at the provider
        assertThat(board.counts().get("active")).isEqualTo(2);
        assertThat(board.counts().get("queued")).isEqualTo(1);
    }

    @Test
    void a_refused_submit_is_dead_lettered_as_refused_while_other_tasks_are_polling() throws Exception {
        FileJobStore store = new FileJobStore(dir, json);
        Job polling = job("polling", JobState.POLLING);
        polling.taskId = "7";
        polling.nextCheckAt = Instant.now().plusSeconds(30);
        store.create(polling);
        store.create(job("refused", JobState.QUEUED));
        JobBoard board = board(settings(3));
        board.resume();
        Thread.sleep(5);

        JobBoard.Pick pick = board.pickSubmit("yesai");
        assertThat(pick.job().requestId).isEqualTo("refused");
        Next next = board.submitAnswered(pick.job(), dev.soracamel.provider.SubmitResult.of(
                dev.soracamel.provider.SubmitResult.Kind.REJECTED, "PROMPT_NSFW_WORDS", "no", 409));

        assertThat(next).isEqualTo(Next.DEAD_LETTER);
        assertThat(board.find("refused").orElseThrow().deadCode).isEqualTo("PROMPT_NSFW_WORDS");
        assertThat(board.counts().get("active")).as("only the polling task holds a slot").isEqualTo(1);
    }

    @Test
    void the_slot_of_a_submit_with_unknown_outcome_is_still_counted_after_a_second_restart() throws Exception {
        new FileJobStore(dir, json).create(job("on-the-wire", JobState.SUBMITTING));
        board(settings(1)).resume();

        new FileJobStore(dir, json).create(job("next", JobState.QUEUED));
        JobBoard again = board(settings(1));
        again.resume();

        assertThat(again.counts().get("active")).isEqualTo(1);
        Thread.sleep(5);
        assertThat(again.pickSubmit("yesai")).as("tariff 1, slot still possibly taken").isNull();
    }
}
