package dev.soracamel.flow;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.soracamel.SoraPipeline;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.job.PgJobRepository;
import dev.soracamel.job.PgTestDatabase;
import dev.soracamel.provider.StatusResult;
import dev.soracamel.provider.SubmitResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several nodes' job boards on one PostgreSQL repository and one provider account, driven step by step: the
 * account's slots and call gates hold for all of them together, and a node that stalled past its claim can change
 * nothing another node has taken over.
 */
class JobBoardClusterTest {

    @RegisterExtension
    static final PgSchema pg = new PgSchema("board_cluster");
    final ObjectMapper json = SoraPipeline.jsonMapper();
    final List<JobBoard> nodes = new ArrayList<>();
    @TempDir
    Path dir;

    @AfterEach
    void close() {
        nodes.forEach(n -> n.repository().close());
    }

    SoraSettings settings() {
        return YesAiBoards.settings(Map.of(
                "sora.provider.yesai.submit-spacing", "300ms",
                "sora.provider.yesai.status-spacing", "300ms",
                "sora.provider.yesai.connect-timeout", "100ms",
                "sora.provider.yesai.response-timeout", "100ms",
                "sora.repository.claim-lease", "300ms"));
    }

    JobBoard node() throws Exception {
        PgJobRepository repo = PgTestDatabase.open(pg.url(), "sora", 3);
        JobBoard b = YesAiBoards.start(settings(), repo, dir.resolve(nodes.size() + "-bans.txt"), json);
        nodes.add(b);
        return b;
    }

    Job job(String id) {
        return YesAiBoards.job(json, id);
    }

    /** Picks until a submit is handed out (the gate may still be closed from the previous answer). */
    static JobBoard.Pick pickWithin(JobBoard b, long millis) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            JobBoard.Pick p = b.pickSubmit("yesai");
            if (p != null) {
                return p;
            }
            Thread.sleep(10);
        }
        return null;
    }

    @Test
    void three_nodes_together_hold_the_account_to_its_slots_and_one_submit_at_a_time() throws Exception {
        JobBoard a = node();
        JobBoard b = node();
        JobBoard c = node();
        for (int i = 0; i < 6; i++) {
            assertThat(List.of(a, b, c).get(i % 3).accept(job("j" + i))).isTrue();
        }
        assertThat(b.accept(job("j0"))).as("a request id is taken once for the whole cluster").isFalse();

        JobBoard.Pick first = pickWithin(a, 2000);
        assertThat(first).isNotNull();
        assertThat(b.pickSubmit("yesai")).as("node a's POST is on the wire: nobody else sends one").isNull();
        assertThat(c.pickSubmit("yesai")).isNull();
        Instant answered = Instant.now();
        assertThat(a.submitAnswered(first.job(), SubmitResult.created("t1"))).isEqualTo(Next.WAIT);

        JobBoard.Pick second = pickWithin(b, 2000);
        assertThat(second).isNotNull();
        assertThat(java.time.Duration.between(answered, Instant.now()).toMillis())
                .as("the next submit, on another node, waits the spacing from the previous answer")
                .isGreaterThanOrEqualTo(250);
        b.submitAnswered(second.job(), SubmitResult.created("t2"));
        JobBoard.Pick third = pickWithin(c, 2000);
        c.submitAnswered(third.job(), SubmitResult.created("t3"));

        assertThat(pickWithin(a, 700)).as("three tasks run: no slot is free on any node").isNull();
        assertThat(b.queries().providerViews().get(0).active()).isEqualTo(3);
        assertThat(c.queries().providerViews().get(0).queued()).isEqualTo(3);

        // a task ends, seen by node c: a slot frees for every node
        Thread.sleep(10);
        Job done = c.find(first.job().requestId).orElseThrow();
        done.nextCheckAt = Instant.now().minusSeconds(1);
        assertThat(c.repository().update(done)).isTrue();
        JobBoard.Pick check = null;
        for (int i = 0; i < 100 && check == null; i++) {
            check = c.pickStatusCheck("yesai");
            Thread.sleep(10);
        }
        assertThat(check).isNotNull();
        assertThat(a.pickStatusCheck("yesai")).as("node c's status check is on the wire").isNull();
        assertThat(c.statusAnswered(check.job(), new StatusResult(StatusResult.Kind.COMPLETED, "2", "http://127.0.0.1:9/v.mp4", null, null, null, null, 200)))
                .isEqualTo(Next.DOWNLOAD);
        assertThat(pickWithin(a, 2000)).as("the slot it freed is taken by another node").isNotNull();
    }

    @Test
    void a_node_that_stalled_with_its_submit_on_the_wire_changes_nothing_after_another_took_over() throws Exception {
        JobBoard stalled = node();
        JobBoard other = node();
        stalled.accept(job("slow"));
        JobBoard.Pick pick = pickWithin(stalled, 2000);
        assertThat(pick).isNotNull();
        assertThat(pick.sendBy() - System.nanoTime()).as("the claim's send-by time is within its lease")
                .isLessThanOrEqualTo(300_000_000L);

        // the stalled node says nothing for longer than its claim (lease + connect + response timeouts)
        Thread.sleep(700);
        assertThat(System.nanoTime()).as("a send now would be refused by the ClaimGuard").isGreaterThan(pick.sendBy());
        JobBoard.Recovery r = other.recover();
        assertThat(r.deadLetters()).containsExactly("slow");
        Job taken = other.find("slow").orElseThrow();
        assertThat(taken.state).isEqualTo(JobState.DEAD);
        assertThat(taken.deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(taken.slotHeldUntil).as("the task may run at the provider: its slot still counts").isNotNull();

        // the stalled node wakes up with its answer: the job is not revived, nor sent twice
        assertThat(stalled.submitAnswered(pick.job(), SubmitResult.created("late"))).isEqualTo(Next.WAIT);
        Job after = other.find("slow").orElseThrow();
        assertThat(after.state).isEqualTo(JobState.DEAD);
        assertThat(after.taskId).isNull();
        assertThat(after.version).isEqualTo(taken.version);
        assertThat(other.queries().providerViews().get(0).active()).isEqualTo(1);
        assertThat(other.recover().isEmpty()).as("the dead letter is the other node's to write now").isTrue();
    }

    @Test
    void a_download_left_by_a_node_that_died_is_taken_over_once_its_claim_lapses() throws Exception {
        JobBoard dying = node();
        JobBoard other = node();
        dying.accept(job("video"));
        JobBoard.Pick pick = pickWithin(dying, 2000);
        dying.submitAnswered(pick.job(), SubmitResult.created("t"));
        Job polling = dying.find("video").orElseThrow();
        polling.nextCheckAt = Instant.now().minusSeconds(1);
        dying.repository().update(polling);
        JobBoard.Pick check = null;
        for (int i = 0; i < 100 && check == null; i++) {
            check = dying.pickStatusCheck("yesai");
            Thread.sleep(10);
        }
        assertThat(dying.statusAnswered(check.job(), new StatusResult(StatusResult.Kind.COMPLETED, "2", "http://127.0.0.1:9/v.mp4", null, null, null, null, 200)))
                .isEqualTo(Next.DOWNLOAD);
        assertThat(other.recover().downloads()).as("the download is claimed by the node that saw it complete")
                .isEmpty();

        // the claim of a download lasts sora.repository.step-lease; shorten it as a lapse would
        Job claimed = other.find("video").orElseThrow();
        claimed.claimUntil = Instant.now().minusMillis(1);
        other.repository().update(claimed);
        assertThat(other.recover().downloads()).containsExactly("video");
        assertThat(dying.recover().downloads()).as("taken once").isEmpty();
        Job mine = other.find("video").orElseThrow();
        assertThat(mine.claimedBy).isEqualTo(other.repository().node());
        Job stale = dying.find("video").orElseThrow();
        stale.version--; // the copy the dying node held before the take-over
        assertThat(dying.delivery().stored(stale, "/x.mp4", 1)).as("the old owner cannot record it stored").isFalse();
        assertThat(other.delivery().downloadStarting(mine)).isTrue();
        assertThat(other.delivery().stored(mine, "/v.mp4", 10)).isTrue();
        assertThat(other.find("video").orElseThrow().state).isEqualTo(JobState.STORED);
    }
}
