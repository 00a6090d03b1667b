package dev.soracamel.pipeline;

import java.time.Duration;
import java.util.Properties;

import dev.soracamel.job.Job;
import dev.soracamel.sandbox.SandboxStats;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With resubmits of unknown outcomes allowed and no lookup, a create whose answer was lost is sent again with
 * the same Idempotency-Key: a provider that honours it (the sandbox's openai dialect) answers with the task it
 * made, so the video is paid once; one that ignores it (the gateway dialect) makes a second task. This is why
 * the default does not resubmit.
 */
class LostAnswerResubmitTest extends PipelineTestSupport {

    @Override
    protected void configure(Properties p) {
        p.put("sora.providers", "gw,oai");
        p.put("sora.default-provider", "oai");
        p.put("sora.provider.gw.type", "openai-compatible");
        p.put("sora.provider.gw.tariff", "3");
        p.put("sora.sandbox.dialect.gw", "gateway");
        p.put("sora.provider.oai.type", "openai-compatible");
        p.put("sora.provider.oai.tariff", "3");
        p.put("sora.submit.resubmit-on-unknown-outcome", "true");
        p.put("sora.submit.lookup.enabled", "false");
    }

    @Test
    void a_resubmit_after_a_lost_answer_pays_once_where_the_key_is_honoured_and_twice_where_it_is_not()
            throws Exception {
        // each account loses the answer of its first create only, after making its task (oai is the default
        // provider: the sandbox's default account)
        sandbox().dropNextPostResponses("sandbox-token", 1);
        sandbox().dropNextPostResponses("sandbox-token-gw", 1);
        String prompt = "A kite over the dunes";
        drop("oai.json", LostAnswerTest.openai("oai", prompt));
        drop("gw.json", LostAnswerTest.openai("gw", prompt));

        awaitSettled(2, Duration.ofSeconds(60));

        assertThat(storedCount()).isEqualTo(2);
        assertThat(deadCount()).isZero();
        SandboxStats oai = sandbox().stats("sandbox-token");
        assertThat(oai.posts()).as("sent twice").isEqualTo(2);
        assertThat(oai.tasksCreated()).as("paid once: the key was honoured").isEqualTo(1);
        assertThat(oai.idempotentReplays()).isEqualTo(1);
        SandboxStats gw = sandbox().stats("sandbox-token-gw");
        assertThat(gw.posts()).isEqualTo(2);
        assertThat(gw.tasksCreated()).as("paid twice: the key was ignored").isEqualTo(2);
        Job o = board().find("oai").orElseThrow();
        Job g = board().find("gw").orElseThrow();
        assertThat(o.history).anySatisfy(e -> assertThat(e.event()).isEqualTo("outcome unknown, resubmit"));
        assertThat(g.history).anySatisfy(e -> assertThat(e.event()).isEqualTo("outcome unknown, resubmit"));
        assertNoBreaches();
    }
}
