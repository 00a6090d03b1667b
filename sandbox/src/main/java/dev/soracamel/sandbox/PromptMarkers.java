package dev.soracamel.sandbox;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a prompt asks of the sandbox. Tests steer the simulated provider with markers written into the prompt,
 * such as {@code [sandbox:reject]}, because the prompt is the one field that reaches the provider unchanged
 * through any client, so a pipeline test needs no back door into the client.
 */
final class PromptMarkers {

    /** How a task ends. */
    enum Outcome { COMPLETE, REJECT, TIMEOUT, TIMEOUT_ONCE, STUCK }

    private static final Pattern MARKER = Pattern.compile("\\[sandbox:[^\\]]*\\]");
    private static final Pattern BYTES = Pattern.compile("\\[sandbox:bytes=(\\d{1,18})\\]");

    /** A small stand-in for the provider's word filter; whole words only, so "Essex" passes. */
    private static final Set<String> NSFW_WORDS = Set.of(
            "nsfw", "porn", "porno", "nude", "naked", "sex", "xxx", "hentai", "erotic",
            "порно", "голая", "голый", "эротика");

    private PromptMarkers() {
    }

    /** The prompt without markers, so markers neither count as words nor trip the word filter. */
    static String withoutMarkers(String prompt) {
        return MARKER.matcher(prompt).replaceAll(" ");
    }

    /** The prompt must have "at least a couple of words" (seed 000). */
    static int wordCount(String prompt) {
        String text = withoutMarkers(prompt).trim();
        return text.isEmpty() ? 0 : text.split("\\s+").length;
    }

    /** Step 11 of submit checking: the provider's prompt filters, in the order the tests rely on. */
    static void checkFilters(String prompt) throws ApiException {
        if (prompt.contains("[sandbox:nsfw]") || hasNsfwWord(prompt)) {
            throw new ApiException(ApiError.PROMPT_NSFW_WORDS);
        }
        if (prompt.contains("[sandbox:nsfw-en]")) {
            throw new ApiException(ApiError.PROMPT_EN_NSFW_WORDS);
        }
        if (prompt.contains("[sandbox:untranslatable]")) {
            throw new ApiException(ApiError.PROMPT_FAILED_TO_TRANSLATE);
        }
        if (prompt.contains("[sandbox:not-allowed]")) {
            throw new ApiException(ApiError.PARAMETERS_IS_NOT_ALLOWED);
        }
    }

    /**
     * /v1/videos refuses at create what OpenAI's moderation blocks: {@code [sandbox:moderation]}, and the
     * word filter Yes Ai's {@code [sandbox:nsfw]} stands for, since OpenAI blocks those prompts too.
     */
    static boolean moderationBlocked(String prompt) {
        return prompt.contains("[sandbox:moderation]") || prompt.contains("[sandbox:nsfw]") || hasNsfwWord(prompt);
    }

    static Outcome outcome(String prompt) {
        if (prompt.contains("[sandbox:stuck]")) {
            return Outcome.STUCK;
        }
        if (prompt.contains("[sandbox:reject]")) {
            return Outcome.REJECT;
        }
        if (prompt.contains("[sandbox:timeout]")) {
            return Outcome.TIMEOUT;
        }
        if (prompt.contains("[sandbox:timeout-once]")) {
            return Outcome.TIMEOUT_ONCE;
        }
        return Outcome.COMPLETE;
    }

    /** What becomes of a create's answer once its task exists. */
    enum Answer { SEND, DROP, BAD_GATEWAY }

    /**
     * {@code [sandbox:lose-answer]}: the task is created and paid, then the connection is closed with no
     * answer; {@code [sandbox:lose-answer-502]}: the same, answered 502 by the "gateway" in front. The client
     * cannot tell whether a task exists. An idempotent replay of the create answers normally.
     */
    static Answer createAnswer(String prompt) {
        if (prompt.contains("[sandbox:lose-answer-502]")) {
            return Answer.BAD_GATEWAY;
        }
        return prompt.contains("[sandbox:lose-answer]") ? Answer.DROP : Answer.SEND;
    }

    static boolean truncateOnce(String prompt) {
        return prompt.contains("[sandbox:truncate-once]");
    }

    /** The video size the prompt asks for, or {@code fallback} when it asks none. */
    static long videoBytes(String prompt, long fallback) {
        Matcher m = BYTES.matcher(prompt);
        return m.find() ? Long.parseLong(m.group(1)) : fallback;
    }

    private static boolean hasNsfwWord(String prompt) {
        String text = withoutMarkers(prompt).toLowerCase(Locale.ROOT);
        return Arrays.stream(text.split("[^\\p{L}\\p{N}]+")).anyMatch(NSFW_WORDS::contains);
    }
}
