package dev.soracamel.pipeline;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Redrive against the sandbox, through the real routes: by the host's direct endpoint, by REST and by a file in the
 * dead-letter folder. What the sandbox counted (tasks created, downloads) says what each redrive cost.
 */
class RedrivePipelineTest extends PipelineTestSupport {

    int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    protected void configure(Properties p) {
        port = serveHttp(p);
        // a provider timeout (status 4) is dead-lettered at once: the redrive is the resubmit
        p.put("sora.provider.yesai.max-timeout-resubmits", "0");
        p.put("sora.repository.recover-interval-ms", "50");
        p.put("sora.redrive.folder.poll-delay-ms", "50");
        p.put("sora.redrive.folder.read-lock-check-interval-ms", "50");
        p.put("sora.redrive.folder.read-lock-min-age-ms", "100");
        p.put("sora.redrive.folder.max-file-bytes", "256");
        // a storage outage gives up quickly, keeping the paid video
        p.put("sora.store.retries", "0");
        p.put("sora.store.retry-delay-ms", "50");
        p.put("sora.store.outage.max-retry-delay", "100ms");
        p.put("sora.store.outage.give-up-after", "300ms");
    }

    Path deadLetters() {
        return dir.resolve("dead-letter");
    }

    Job job(String id) {
        return board().find(id).orElseThrow();
    }

    void drop(String id, String prompt, String customer) throws Exception {
        drop(id + ".json", v2(prompt, customer).replace("{", "{\"request_id\": \"" + id + "\", "));
    }

    void awaitDeadLettered(String id) throws Exception {
        await(() -> board().find(id).map(j -> j.state == JobState.DEAD && j.deadLetterWritten && !j.notifyPending)
                        .orElse(false), Duration.ofSeconds(30),
                () -> String.valueOf(board().find(id).map(j -> j.state + " " + j.lastStatus).orElse("none")));
    }

    void awaitStored(String id) throws Exception {
        await(() -> board().find(id).map(j -> j.state == JobState.STORED).orElse(false), Duration.ofSeconds(30),
                () -> String.valueOf(board().find(id).map(j -> j.state + " " + j.lastStatus).orElse("none")));
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> redrive(Object body) {
        // the running context's own template: a restart replaces the context
        try (var t = context.createProducerTemplate()) {
            return t.requestBody("direct:sora-redrive", body, Map.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    record Answer(int status, JsonNode body) {
    }

    Answer postRedrive(String id, String body, String contentType) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jobs/" + id + "/redrive"));
        if (contentType != null) {
            r.header("Content-Type", contentType);
        }
        HttpResponse<String> res = http.send(r.POST(body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(res.statusCode(), JSON.readTree(res.body()));
    }

    /** Written as a well-behaved writer does: a hidden name, then a rename. */
    void dropRedrive(String name, String content) throws Exception {
        Files.createDirectories(deadLetters());
        Path tmp = deadLetters().resolve("." + name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, deadLetters().resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    JsonNode awaitFile(Path file) throws Exception {
        await(() -> Files.exists(file), Duration.ofSeconds(20), () -> file + " not there; folder: "
                + String.join(", ", list(deadLetters())));
        return JSON.readTree(file.toFile());
    }

    static java.util.List<String> list(Path folder) {
        try (var s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (Exception e) {
            return java.util.List.of();
        }
    }

    @Test
    void a_job_dead_after_a_provider_timeout_is_redriven_submitted_exactly_once_more_and_stored() throws Exception {
        drop("tmo", "A fox in the forest [sandbox:timeout-once]", "c1");
        awaitDeadLettered("tmo");
        assertThat(error("tmo").path("code").asText()).isEqualTo("TASK_TIMED_OUT");
        String firstDeadLetter = Files.readString(errorOf("tmo"));
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(1);

        Map<String, Object> answer = redrive("tmo");

        assertThat(answer).containsEntry("outcome", "redriven").containsEntry("resumes_at", "submit")
                .containsEntry("redrive_count", 1);
        awaitStored("tmo");
        assertThat(isMp4(stored("c1", "tmo"))).isTrue();
        assertThat(sandbox().stats().tasksCreated()).as("submitted exactly once more").isEqualTo(2);
        Job j = job("tmo");
        assertThat(j.taskIds).hasSize(2);
        assertThat(j.tasksCreated).isEqualTo(2);
        assertThat(j.redrive.count).isEqualTo(1);
        assertThat(j.redrive.by).isEqualTo("direct:sora-redrive");
        assertThat(metadata("c1", "tmo").path("redrive").path("fromCode").asText()).isEqualTo("TASK_TIMED_OUT");
        // the dead letter is kept as it was, and marked beside it
        assertThat(Files.readString(errorOf("tmo"))).isEqualTo(firstDeadLetter);
        JsonNode mark = awaitFile(deadLetters().resolve("tmo.redriven.json"));
        assertThat(mark.path("redrive_count").asInt()).isEqualTo(1);
        assertThat(mark.path("code").asText()).isEqualTo("TASK_TIMED_OUT");
        assertThat(mark.path("redriven_by").asText()).isEqualTo("direct:sora-redrive");
        assertThat(redrive("tmo")).as("stored now: nothing to redrive").containsEntry("outcome", "not_dead");
        assertNoBreaches();
    }

    @Test
    void a_job_dead_again_after_its_redrive_gets_a_second_dead_letter_beside_the_first() throws Exception {
        drop("always", "An owl in the rain [sandbox:timeout]", "c2");
        awaitDeadLettered("always");
        String first = Files.readString(errorOf("always"));

        assertThat(redrive(Map.of("job_id", "always"))).containsEntry("outcome", "redriven");
        await(() -> board().find("always").map(j -> j.redrive != null && j.state == JobState.DEAD
                && j.deadLetterWritten).orElse(false), Duration.ofSeconds(30), () -> "" + job("always").state);

        Path second = deadLetters().resolve("always~redrive-1.error.json");
        assertThat(JSON.readTree(second.toFile()).path("code").asText()).isEqualTo("TASK_TIMED_OUT");
        assertThat(deadLetters().resolve("always~redrive-1.json")).as("its original beside it").exists();
        assertThat(Files.readString(errorOf("always"))).as("the first is not overwritten").isEqualTo(first);
        assertThat(sandbox().stats().tasksCreated()).as("one task per submit").isEqualTo(2);
    }

    @Test
    void a_job_over_budget_is_redriven_after_the_budget_is_raised_at_a_restart_and_submitted_once() throws Exception {
        String noon = SpendPipelineTest.NOON;
        restart(p -> {
            p.put("sora.budget.daily", "0.50");
            p.put("sora.budget.over", "dead-letter");
            p.put("sora.budget.time-zone", noon);
        });
        drop("dear", "A horse on a hill", "c6");
        awaitDeadLettered("dear");
        assertThat(job("dear").deadCode).isEqualTo("BUDGET_EXCEEDED");
        assertThat(sandbox().stats().tasksCreated()).as("nothing paid").isZero();
        assertThat(redrive("dear")).as("a redrive under the same budget is allowed, and dies the same way")
                .containsEntry("outcome", "redriven");
        await(() -> board().find("dear").map(j -> j.state == JobState.DEAD && j.deadLetterWritten && !j.notifyPending)
                .orElse(false), Duration.ofSeconds(30), () -> "" + job("dear").state);
        assertThat(deadLetters().resolve("dear~redrive-1.error.json")).exists();

        restart(p -> {
            p.put("sora.budget.daily", "5.00");
            p.put("sora.budget.over", "dead-letter");
            p.put("sora.budget.time-zone", noon);
        });
        Map<String, Object> answer = redrive("{\"job_id\": \"dear\"}");

        assertThat(answer).containsEntry("outcome", "redriven").containsEntry("redrive_count", 2);
        awaitStored("dear");
        assertThat(sandbox().stats().tasksCreated()).as("submitted exactly once").isEqualTo(1);
        assertThat(deadLetters().resolve("dear.redriven.json")).exists();
        assertThat(deadLetters().resolve("dear~redrive-1.redriven.json")).exists();
    }

    @Test
    void a_refused_code_is_never_submitted_again() throws Exception {
        drop("nope", "A cat on the moon [sandbox:reject]", "c3");
        awaitDeadLettered("nope");
        assertThat(job("nope").deadCode).isEqualTo("TASK_REJECTED");
        long tasks = sandbox().stats().tasksCreated();

        Answer a = postRedrive("nope", "{\"accept_possible_double_payment\": true}", "application/json");

        assertThat(a.status()).isEqualTo(409);
        assertThat(a.body().path("code").asText()).isEqualTo("REDRIVE_REFUSED");
        assertThat(a.body().path("dead_letter_code").asText()).isEqualTo("TASK_REJECTED");
        assertThat(a.body().path("message").asText()).contains("prompt must change");
        Thread.sleep(500); // time enough for a submit, had one been queued
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(tasks);
        assertThat(job("nope").state).isEqualTo(JobState.DEAD);
        assertThat(deadLetters().resolve("nope.redriven.json")).doesNotExist();
    }

    @Test
    void rest_answers_202_then_200_while_under_way_404_for_no_job_and_400_for_a_bad_body() throws Exception {
        drop("web", "A dog on a beach [sandbox:timeout-once]", "c4");
        awaitDeadLettered("web");

        assertThat(postRedrive("web", "{\"accept_possible_double_payment\": \"yes\"}", "application/json").status())
                .isEqualTo(400);
        assertThat(postRedrive("web", "{\"accept_double_payment\": true}", "application/json").body()
                .path("code").asText()).as("a misspelt flag is no 'no'").isEqualTo("REDRIVE_NOT_VALID");
        assertThat(postRedrive("web", "{\"a\": 1}", "text/plain").status()).isEqualTo(415);
        assertThat(job("web").state).as("nothing happened").isEqualTo(JobState.DEAD);

        Answer first = postRedrive("web", null, null);
        assertThat(first.status()).as(first.body().toString()).isEqualTo(202);
        assertThat(first.body().path("resumes_at").asText()).isEqualTo("submit");
        assertThat(first.body().path("may_cost").path("amount").decimalValue()).isEqualByComparingTo("1.00");
        assertThat(first.body().path("may_cost").path("currency").asText()).isEqualTo("USD");

        Answer again = postRedrive("web", "", "application/json");
        if (again.status() == 200) {
            assertThat(again.body().path("outcome").asText()).isEqualTo("unchanged");
        } else {
            // it was stored already between the two calls
            assertThat(again.status()).isEqualTo(409);
            assertThat(again.body().path("code").asText()).isEqualTo("JOB_NOT_DEAD");
        }
        assertThat(postRedrive("nobody", null, null).status()).isEqualTo(404);
        assertThat(postRedrive("..%2F..%2Fetc", null, null).status()).isEqualTo(404);

        awaitStored("web");
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(2);
        JsonNode view = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/jobs/web")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(view.path("redrive").path("count").asInt()).isEqualTo(1);
        assertThat(view.path("redrive").path("by").asText()).isEqualTo("POST /jobs/web/redrive");
        assertThat(view.path("redrive").path("from_code").asText()).isEqualTo("TASK_TIMED_OUT");
        assertThat(view.path("attempts").path("tasks_created").asInt()).isEqualTo(2);
    }

    @Test
    void a_redrive_file_of_a_kept_download_stores_it_without_any_new_submit() throws Exception {
        Path blocker = dir.resolve("outbox").resolve("c5");
        Files.createDirectories(blocker.getParent());
        Files.writeString(blocker, "storage is down");
        drop("owl", "An owl at night", "c5");
        awaitDeadLettered("owl");
        assertThat(job("owl").deadCode).isEqualTo("STORAGE_FAILED");
        long tasks = sandbox().stats().tasksCreated();
        long downloads = sandbox().stats().downloads();
        Files.delete(blocker); // storage is back

        dropRedrive("owl.redrive", "");

        JsonNode done = awaitFile(deadLetters().resolve("owl.redrive.done"));
        assertThat(done.path("outcome").asText()).isEqualTo("redriven");
        assertThat(done.path("resumes_at").asText()).isEqualTo("store");
        assertThat(done.path("may_cost").path("amount").decimalValue()).isEqualByComparingTo("0");
        awaitStored("owl");
        assertThat(isMp4(stored("c5", "owl"))).isTrue();
        assertThat(sandbox().stats().tasksCreated()).as("no new submit").isEqualTo(tasks);
        assertThat(sandbox().stats().downloads()).as("no new download").isEqualTo(downloads);
        assertThat(deadLetters().resolve("owl.redrive")).as("never read twice").doesNotExist();
        assertThat(job("owl").redrive.by).isEqualTo("file owl.redrive");
        assertThat(dir.resolve("work/kept/owl.mp4")).as("the kept copy goes once stored").doesNotExist();
    }

    @Test
    void redrive_files_that_are_links_too_large_not_a_flag_or_for_no_job_are_refused_and_never_read_again() throws Exception {
        Files.createDirectories(deadLetters());
        Path target = dir.resolve("elsewhere.txt");
        Files.writeString(target, "{\"accept_possible_double_payment\": true}");
        Files.createSymbolicLink(deadLetters().resolve("linked.redrive"), target);
        dropRedrive("big.redrive", "{\"accept_possible_double_payment\": true}" + " ".repeat(300));
        dropRedrive("odd.redrive", "[1, 2]");
        dropRedrive("nobody.redrive", "");

        JsonNode link = awaitFile(deadLetters().resolve("linked.redrive.refused"));
        assertThat(link.path("code").asText()).isEqualTo("NOT_A_REGULAR_FILE");
        assertThat(deadLetters().resolve("linked.redrive")).as("the link itself is gone").doesNotExist();
        assertThat(Files.readString(target)).as("its target untouched").contains("accept_possible_double_payment");
        assertThat(awaitFile(deadLetters().resolve("big.redrive.refused")).path("message").asText())
                .contains("more than 256 bytes");
        assertThat(awaitFile(deadLetters().resolve("odd.redrive.refused")).path("code").asText())
                .isEqualTo("REDRIVE_NOT_VALID");
        assertThat(awaitFile(deadLetters().resolve("nobody.redrive.refused")).path("code").asText())
                .isEqualTo("JOB_NOT_FOUND");
        await(() -> list(deadLetters()).stream().noneMatch(n -> n.endsWith(".redrive")), Duration.ofSeconds(10),
                () -> String.join(", ", list(deadLetters())));
    }
}
