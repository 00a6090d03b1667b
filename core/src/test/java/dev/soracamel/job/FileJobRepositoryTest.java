package dev.soracamel.job;

import java.nio.file.Path;
import java.time.Instant;

import dev.soracamel.SoraPipeline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileJobRepositoryTest extends JobRepositoryContract {

    @TempDir
    Path dir;

    @Override
    protected JobRepository openEmpty() {
        return new FileJobRepository(dir, SoraPipeline.jsonMapper());
    }

    @Test
    void a_second_repository_on_the_same_folder_is_refused_until_the_first_is_closed() {
        assertThat(repo.exclusive()).isTrue();
        assertThatThrownBy(() -> new FileJobRepository(dir, SoraPipeline.jsonMapper()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.toString())
                .hasMessageContaining("PostgreSQL");

        created(job("r1"));
        repo.close();
        repo = new FileJobRepository(dir, SoraPipeline.jsonMapper());
        assertThat(repo.find("r1")).isPresent();
        assertThat(repo.create(job("r1"))).as("submit-once across a restart").isFalse();
    }

    @Test
    void claims_found_at_open_are_taken_back_since_their_process_is_gone() {
        Job j = job("r1", ACCOUNT, JobState.DOWNLOADING);
        j.claimedBy = "a-node-that-died";
        j.claimUntil = Instant.now().plusSeconds(3600);
        created(j);
        assertThat(repo.orphans(10)).isEmpty();
        repo.close();

        repo = new FileJobRepository(dir, SoraPipeline.jsonMapper());
        Job back = stored("r1");
        assertThat(back.claimedBy).isNull();
        assertThat(back.claimUntil).isNull();
        assertThat(ids(repo.orphans(10))).containsExactly("r1");
        // the record on disk still has the claim's version: the take-over is an ordinary compare-and-set
        assertThat(repo.update(back)).isTrue();
    }

    @Test
    void sequence_numbers_go_on_after_a_restart() {
        Job first = created(job("r1"));
        repo.close();
        repo = new FileJobRepository(dir, SoraPipeline.jsonMapper());
        assertThat(created(job("r2")).seq).isGreaterThan(first.seq);
    }
}
