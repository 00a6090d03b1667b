package dev.soracamel.pipeline;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Every class of provider error ends as the README's table says. */
class ErrorPolicyTest extends PipelineTestSupport {

    @Override
    protected void configure(Properties p) {
        // a pause is re-checked every second here
        p.put("sora.pause.recheck-cron", "* * * * * ?");
    }

    @Test
    void moderation_and_parameter_refusals_are_dead_lettered_with_the_seed_code() throws Exception {
        drop("nsfw.json", v2("Something not allowed here [sandbox:nsfw]", "c1"));
        drop("nsfw-en.json", v2("Something not allowed here [sandbox:nsfw-en]", "c1"));
        drop("translate.json", v2("Words no translator knows [sandbox:untranslatable]", "c1"));
        drop("params.json", v2("A combination they refuse [sandbox:not-allowed]", "c1"));

        awaitSettled(4, Duration.ofSeconds(30));

        assertThat(error("nsfw").path("code").asText()).isEqualTo("PROMPT_NSFW_WORDS");
        assertThat(error("nsfw").path("httpStatus").asInt()).isEqualTo(409);
        assertThat(error("nsfw-en").path("code").asText()).isEqualTo("PROMPT_EN_NSFW_WORDS");
        assertThat(error("translate").path("code").asText()).isEqualTo("PROMPT_FAILED_TO_TRANSLATE");
        assertThat(error("params").path("code").asText()).isEqualTo("PARAMETERS_IS_NOT_ALLOWED");
        assertThat(sandbox().stats().tasksCreated()).isZero();
        assertNoBreaches();
    }

    @Test
    void a_banned_customer_is_refused_locally_afterwards_also_after_a_restart() throws Exception {
        drop("first.json", v2("A harmless landscape painting", "banned-77"));
        awaitSettled(1, Duration.ofSeconds(30));
        assertThat(error("first").path("code").asText()).isEqualTo("USER_HAS_BEEN_BANNED");
        long posts = sandbox().stats().posts();

        drop("second.json", v2("Another harmless landscape", "banned-77"));
        awaitSettled(2, Duration.ofSeconds(30));

        assertThat(error("second").path("code").asText()).isEqualTo("CUSTOMER_BANNED");
        assertThat(sandbox().stats().posts()).as("no API call for a banned customer").isEqualTo(posts);
        assertThat(java.nio.file.Files.readString(dir.resolve("work/banned-customers.txt"))).contains("banned-77");
    }

    @Test
    void server_errors_rate_refusals_and_task_limit_are_retried_until_stored() throws Exception {
        sandbox().failNextPosts(2, 500, "INTERNAL_SERVER_ERROR");
        drop("a.json", v2("Retry me after server errors", "c2"));
        awaitSettled(1, Duration.ofSeconds(30));
        sandbox().failNextPosts(2, 429, "TOO_MANY_REQUESTS");
        drop("b.json", v2("Retry me after rate refusals", "c2"));
        awaitSettled(2, Duration.ofSeconds(30));
        sandbox().failNextPosts(2, 409, "TASK_LIMIT_EXCEEDED");
        drop("c.json", v2("Retry me after a task limit", "c2"));
        awaitSettled(3, Duration.ofSeconds(30));
        sandbox().failNextStatusChecks(3, 500, "INTERNAL_SERVER_ERROR");
        drop("d.json", v2("Retry my status checks", "c2"));
        awaitSettled(4, Duration.ofSeconds(30));

        assertThat(storedCount()).isEqualTo(4);
        assertThat(deadCount()).isZero();
        assertThat(sandbox().stats().tasksCreated()).isEqualTo(4);
        assertNoBreaches();
    }

    @Test
    void a_refused_token_pauses_the_queue_without_dead_letters_until_it_works_again() throws Exception {
        sandbox().setToken("a-different-token");
        drop("wait1.json", v2("Wait for a good token", "c3"));
        drop("wait2.json", v2("Wait for a good token too", "c3"));
        await(() -> String.valueOf(board().queries().counts().get("paused")).contains("UNAUTHORIZED"), Duration.ofSeconds(10),
                () -> board().queries().counts().toString());
        Thread.sleep(1500); // several re-checks while paused
        assertThat(deadCount()).isZero();
        assertThat(storedCount()).isZero();
        assertThat(sandbox().stats().tasksCreated()).isZero();

        sandbox().setToken("sandbox-token");
        awaitSettled(2, Duration.ofSeconds(30));
        assertThat(storedCount()).isEqualTo(2);
        assertThat(board().queries().counts().get("paused")).isEqualTo("no");
    }

    @Test
    void no_credit_pauses_the_queue_until_topped_up() throws Exception {
        sandbox().setRpoints(0);
        drop("broke.json", v2("Wait for credit", "c4"));
        await(() -> String.valueOf(board().queries().counts().get("paused")).contains("NOT_ENOUGH_RPOINTS"),
                Duration.ofSeconds(10), () -> board().queries().counts().toString());
        assertThat(deadCount()).isZero();

        sandbox().setRpoints(-1);
        awaitSettled(1, Duration.ofSeconds(30));
        assertThat(storedCount()).isEqualTo(1);
    }

    @Test
    void status_checks_of_running_tasks_do_not_lift_a_no_credit_pause() throws Exception {
        // no re-check during this test: only a call that proves the credit is back may lift the pause
        restart(p -> p.put("sora.pause.recheck-cron", "0 0 0 1 1 ? 2099"));
        drop("early.json", v2("Submitted while there is credit", "c6"));
        await(() -> sandbox().stats().tasksCreated() == 1, Duration.ofSeconds(10), () -> board().queries().counts().toString());
        sandbox().setRpoints(0);
        drop("late.json", v2("Submitted once the credit ran out", "c6"));
        await(() -> String.valueOf(board().queries().counts().get("paused")).contains("NOT_ENOUGH_RPOINTS"),
                Duration.ofSeconds(10), () -> board().queries().counts().toString());

        // the running task is still checked and stored; those checks say nothing about credit
        await(() -> Files.exists(stored("c6", "early")), Duration.ofSeconds(30), () -> board().queries().counts().toString());
        assertThat(String.valueOf(board().queries().counts().get("paused"))).contains("NOT_ENOUGH_RPOINTS");
        assertThat(sandbox().stats().posts()).as("the refused submit is not sent again before a re-check").isEqualTo(2);
    }

    @Test
    void a_submit_whose_answer_never_came_is_not_paid_twice() throws Exception {
        sandbox().dropNextPostResponses(1);
        drop("lost.json", v2("A submit lost on the way back", "c5"));

        awaitSettled(1, Duration.ofSeconds(30));

        JsonNode e = error("lost");
        assertThat(e.path("code").asText()).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");
        assertThat(e.path("message").asText()).contains("may have created");
        assertThat(sandbox().stats().tasksCreatedByPrompt().get("A submit lost on the way back")).isEqualTo(1);
        assertThat(sandbox().stats().posts()).isEqualTo(1);
    }
}
