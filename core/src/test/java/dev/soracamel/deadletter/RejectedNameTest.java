package dev.soracamel.deadletter;

import java.nio.charset.StandardCharsets;

import dev.soracamel.intake.IntakeItem;
import dev.soracamel.validate.Rejection;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A rejected input's dead letter is named by what the input was: its own, and the same when it is read again. */
class RejectedNameTest {

    static IntakeItem item(String source, String content, String code) {
        return new IntakeItem("clip", null, content.getBytes(StandardCharsets.UTF_8), source,
                new Rejection(code, "refused: " + code));
    }

    @Test
    void the_same_input_read_again_after_a_crash_gets_the_same_name() {
        String first = DeadLetterStep.rejectedName(item("/in/clip.json", "{\"duration\": 7}", "DURATION_NOT_FOUND"));
        String again = DeadLetterStep.rejectedName(item("/in/clip.json", "{\"duration\": 7}", "DURATION_NOT_FOUND"));
        assertThat(again).isEqualTo(first).matches("clip~[0-9a-f]{16}");
    }

    @Test
    void different_inputs_never_share_a_name() {
        String a = DeadLetterStep.rejectedName(item("/in/clip.json", "{\"duration\": 7}", "DURATION_NOT_FOUND"));
        assertThat(DeadLetterStep.rejectedName(item("/in/clip.json", "{\"duration\": 8}", "DURATION_NOT_FOUND")))
                .as("the same name dropped again with other contents").isNotEqualTo(a);
        assertThat(DeadLetterStep.rejectedName(item("/in/team-b/clip.json", "{\"duration\": 7}", "DURATION_NOT_FOUND")))
                .as("the same contents from elsewhere").isNotEqualTo(a);
        assertThat(DeadLetterStep.rejectedName(item("/in/clip.json", "{\"duration\": 7}", "MALFORMED_JSON")))
                .as("refused for another reason").isNotEqualTo(a);
    }
}
