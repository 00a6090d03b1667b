package dev.soracamel.intake;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A request id derived from a name: always safe, and never the same for two names. */
class RequestIdsTest {

    @Test
    void plain_names_keep_their_stem_and_every_other_name_gets_a_hash_of_itself() {
        assertThat(RequestIds.fromFileName("clip-7.json")).isEqualTo("clip-7");
        assertThat(RequestIds.fromFileName("a.b@c.json")).isEqualTo("a.b@c");
        for (String[] pair : new String[][] {
                {"cat video.json", "cat_video.json"},
                {"a+b.json", "a_b.json"},
                {"A.JSON", "A.json"},
                {"notes", "notes.json"},
                {"team-a/clip.json", "team-b/clip.json"},
                {"team-a/clip.json", "clip.json"},
                {"x".repeat(200) + "1.json", "x".repeat(200) + "2.json"},
                {"a\\b.json", "a_b.json"},
                {"a\nb.json", "a_b.json"},
                {"..json", "_.json"},
                {"ä.json", "_.json"}}) {
            String a = RequestIds.fromFileName(pair[0]);
            String b = RequestIds.fromFileName(pair[1]);
            assertThat(a).as(pair[0] + " vs " + pair[1]).isNotEqualTo(b);
            assertThat(RequestIds.isSafe(a)).as(a).isTrue();
            assertThat(RequestIds.isSafe(b)).as(b).isTrue();
        }
    }

    @Test
    void a_name_the_inbox_renamed_keeps_the_id_it_was_renamed_to() {
        for (String unfit : new String[] {"a\\b.json", "\u00e9".repeat(130) + ".json", "x".repeat(250) + ".json"}) {
            String fit = IntakeGuard.fitName(unfit);
            assertThat(IntakeGuard.unfit(fit)).as(fit).isNull();
            assertThat(fit.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(IntakeGuard.MAX_NAME_BYTES);
            assertThat(RequestIds.fromFileName(fit)).isEqualTo(fit.substring(0, fit.length() - 5))
                    .isEqualTo(RequestIds.fromFileName(unfit));
        }
    }

    @Test
    void names_still_being_written_are_left_alone_even_with_a_line_break_in_them() {
        for (String busy : new String[] {".hidden", ".x\ny.json", "a.json.tmp", "a\nb.part", "a.json~", "x.crdownload"}) {
            assertThat(IntakeGuard.IN_PROGRESS.matcher(busy).matches()).as(busy).isTrue();
        }
        for (String ready : new String[] {"a.json", "a\nb.json", "tmp.json", "a.txt"}) {
            assertThat(IntakeGuard.IN_PROGRESS.matcher(ready).matches()).as(ready).isFalse();
        }
        assertThat(IntakeGuard.unfit("a\\b.json")).contains("backslash");
        assertThat(IntakeGuard.unfit("x".repeat(241) + ".json")).contains("245 bytes");
        assertThat(IntakeGuard.unfit("x".repeat(240) + ".json")).isNull();
    }

    /**
     * Generated names from an alphabet rich in the characters that used to collide (separators, dots, '+',
     * '_', '-', letters outside ASCII, white space): every id is safe, short enough for "-<n>" of an array
     * element, and no two distinct names share one.
     */
    @RepeatedTest(10)
    void generated_names_never_share_an_id(RepetitionInfo rep) {
        Random random = new Random(rep.getCurrentRepetition() * 104729L);
        String alphabet = "ab_-.+ /\\\u00e9\u00a0\n@A0";
        Map<String, String> byId = new HashMap<>();
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = 1 + random.nextInt(random.nextInt(10) == 0 ? 300 : 8);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            if (random.nextBoolean()) {
                sb.append(random.nextBoolean() ? ".json" : ".JSON");
            }
            String name = sb.toString();
            String id = RequestIds.fromFileName(name);
            assertThat(RequestIds.isSafe(id)).as("id of %s: %s", name, id).isTrue();
            assertThat(id.length()).as(id).isLessThanOrEqualTo(120);
            String earlier = byId.putIfAbsent(id, name);
            assertThat(earlier == null || earlier.equals(name)).as("%s and %s both give %s", earlier, name, id).isTrue();
        }
    }
}
