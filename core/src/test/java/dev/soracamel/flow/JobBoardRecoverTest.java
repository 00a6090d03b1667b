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
import dev.soracamel.job.FileJobRepository;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.provider.ProviderTypes;
import dev.soracamel.provider.YesAiAdapter;
import dev.soracamel.validate.YesAiCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/** What a restart does with each state a killed process can leave behind. */
class JobBoardRecoverTest {

    @TempDir
    Path dir;
    final ObjectMapper json = SoraPipeline.jsonMapper();
    final java.util.List<JobBoard> boards = new java.util.ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void close() {
        boards.forEach(b -> b.repository().close());
    }

    /** Records as a killed process left them (its repository closed, as the OS does for a dead process). */
    void left(Job... jobs) {
        try (FileJobRepository repo = new FileJobRepository(dir, json)) {
            for (Job j : jobs) {
                repo.create(j);
            }
        }
    }

    SoraSettings settings(int tariff) {
        Map<String, String> p = Map.of(
                "sora.provider.yesai.base-url", "http://127.0.0.1:9",
                "sora.provider.yesai.token", "t",
                "sora.provider.yesai.tariff", String.valueOf(tariff),
                "sora.provider.yesai.submit-spacing", "0ms");
        return SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))), ProviderTypes.onClasspath());
    }

    SoraSettings settingsWithOutbox(int tariff, Path outbox) {
        Map<String, String> p = Map.of(
                "sora.provider.yesai.base-url", "http://127.0.0.1:9",
                "sora.provider.yesai.token", "t",
                "sora.provider.yesai.tariff", String.valueOf(tariff),
                "sora.provider.yesai.submit-spacing", "0ms",
                "sora.outbox", outbox.toString());
        return SoraSettings.read(new Props(k -> Optional.ofNullable(p.get(k))), ProviderTypes.onClasspath());
    }

    JobBoard board(SoraSettings s) throws Exception {
        try (var in = getClass().getResourceAsStream("/dev/soracamel/models/yesai.yaml")) {
            ProviderAdapter a = new YesAiAdapter(s.provider("yesai"), YesAiCatalog.read(in), json);
            JobBoard b = new JobBoard(s, new FileJobRepository(dir, json), new BanList(dir.resolve("bans.txt")),
                    Map.of("yesai", a));
            boards.add(b);
            return b;
        }
    }

    Job job(String id, JobState state) {
        Job j = new Job();
        j.requestId = id;
        j.provider = "yesai";
        j.customerId = "c";
        j.model = "2";
        j.request = json.createObjectNode().put("version", "2");
        j.account = "sora.yesai";
        j.state = state;
        if (state == JobState.SUBMITTING || state == JobState.DOWNLOADING) {
            // claimed by the process that died: the folder lock proves it gone, so the claim is void
            j.claimedBy = "dead-host/1/x";
            j.claimUntil = Instant.now().plusSeconds(3600);
        }
        return j;
    }

    @Test
    void every_left_over_state_is_finished_or_resumed_and_none_is_submitted_twice() throws Exception {
        Job polling = job("polling", JobState.POLLING);
        polling.taskId = "7";
        polling.statusChecks = 12;
        polling.nextCheckAt = Instant.now().plusSeconds(30);
        Job fresh = job("fresh-link", JobState.DOWNLOADING);
        fresh.completedSeenAt = Instant.now().minusSeconds(60);
        Job stale = job("stale-link", JobState.DOWNLOADING);
        stale.completedSeenAt = Instant.now().minusSeconds(2 * 3600);
        left(job("queued", JobState.QUEUED), polling, job("on-the-wire", JobState.SUBMITTING), fresh, stale,
                job("unwritten", JobState.DEAD), job("done", JobState.STORED));

        JobBoard board = board(settings(3));
        board.start();
        JobBoard.Recovery r = board.recover();

        assertThat(r.downloads()).containsExactly("fresh-link");
        assertThat(r.deadLetters()).containsExactlyInAnyOrder("on-the-wire", "stale-link", "unwritten");
        assertThat(board.find("on-the-wire").orElseThrow().deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(board.find("stale-link").orElseThrow().deadCode).isEqualTo("RESULT_LINK_EXPIRED");
        Job p = board.find("polling").orElseThrow();
        assertThat(p.state).isEqualTo(JobState.POLLING);
        assertThat(p.taskId).isEqualTo("7");
        assertThat(p.statusChecks).isEqualTo(12);
        // active: the polling job, and the slot the unknown submit may still hold at the provider
        assertThat(board.queries().counts().get("active")).isEqualTo(2);
        assertThat(board.queries().counts().get("queued")).isEqualTo(1);
        assertThat(board.recover().isEmpty()).as("every step found is now claimed by this process").isTrue();
    }

    @Test
    void a_refused_submit_is_dead_lettered_as_refused_while_other_tasks_are_polling() throws Exception {
        Job polling = job("polling", JobState.POLLING);
        polling.taskId = "7";
        polling.nextCheckAt = Instant.now().plusSeconds(30);
        left(polling, job("refused", JobState.QUEUED));
        JobBoard board = board(settings(3));
        board.start();
        Thread.sleep(5);

        JobBoard.Pick pick = board.pickSubmit("yesai");
        assertThat(pick.job().requestId).isEqualTo("refused");
        Next next = board.submitAnswered(pick.job(), dev.soracamel.provider.SubmitResult.of(
                dev.soracamel.provider.SubmitResult.Kind.REJECTED, "PROMPT_NSFW_WORDS", "no", 409));

        assertThat(next).isEqualTo(Next.DEAD_LETTER);
        assertThat(board.find("refused").orElseThrow().deadCode).isEqualTo("PROMPT_NSFW_WORDS");
        assertThat(board.queries().counts().get("active")).as("only the polling task holds a slot").isEqualTo(1);
    }

    @Test
    void the_slot_of_a_submit_with_unknown_outcome_is_still_counted_after_a_second_restart() throws Exception {
        left(job("on-the-wire", JobState.SUBMITTING));
        JobBoard first = board(settings(1));
        first.start();
        first.recover();
        first.repository().close();

        left(job("next", JobState.QUEUED));
        JobBoard again = board(settings(1));
        again.start();
        again.recover();

        assertThat(again.queries().counts().get("active")).isEqualTo(1);
        Thread.sleep(5);
        assertThat(again.pickSubmit("yesai")).as("tariff 1, slot still possibly taken").isNull();
    }

    @Test
    void what_is_stored_or_downloaded_decides_a_video_is_never_dead_lettered_for_its_link_once_it_is_here()
            throws Exception {
        // killed after the video and its metadata were written, before STORED was recorded; the link is long dead
        Job inStorage = job("in-storage", JobState.STORING);
        inStorage.completedSeenAt = Instant.now().minusSeconds(2 * 3600);
        inStorage.videoLocation = dir.resolve("outbox/c/in-storage.mp4").toString();
        // killed during a storage outage: the checked download is in the work folder
        java.nio.file.Path part = dir.resolve("downloads/kept.mp4.part");
        java.nio.file.Files.createDirectories(part.getParent());
        java.nio.file.Files.write(part, new byte[]{0, 0, 0, 8, 'f', 't', 'y', 'p'});
        Job downloaded = job("kept", JobState.STORING);
        downloaded.completedSeenAt = Instant.now().minusSeconds(2 * 3600);
        downloaded.downloadedFile = part.toString();
        downloaded.videoBytes = 8L;
        // the download's file is gone and so is the link: nothing can bring the video back
        Job gone = job("gone", JobState.STORING);
        gone.completedSeenAt = Instant.now().minusSeconds(2 * 3600);
        gone.downloadedFile = dir.resolve("downloads/gone.mp4.part").toString();
        // killed after the folder store renamed the work file into the outbox, before that was recorded
        java.nio.file.Path placed = dir.resolve("data-outbox/c/renamed.mp4");
        Job renamed = job("renamed", JobState.STORING);
        renamed.completedSeenAt = Instant.now().minusSeconds(2 * 3600);
        renamed.downloadedFile = dir.resolve("downloads/renamed.mp4.part").toString();
        renamed.videoBytes = 8L;
        left(inStorage, downloaded, gone, renamed);

        java.nio.file.Files.createDirectories(placed.getParent());
        java.nio.file.Files.write(placed, new byte[]{0, 0, 0, 8, 'f', 't', 'y', 'p'});
        JobBoard board = board(settingsWithOutbox(3, dir.resolve("data-outbox")));
        board.start();
        JobBoard.Recovery r = board.recover();

        assertThat(r.stores()).containsExactlyInAnyOrder("in-storage", "kept", "renamed");
        assertThat(board.find("renamed").orElseThrow().videoLocation).isEqualTo(placed.toString());
        assertThat(r.deadLetters()).containsExactly("gone");
        assertThat(board.find("in-storage").orElseThrow().state).isEqualTo(JobState.STORING);
        assertThat(board.find("gone").orElseThrow().deadCode).isEqualTo("RESULT_LINK_EXPIRED");
    }
}
