package dev.soracamel.intake;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Request and customer ids become file and folder names, so only a safe set of characters is accepted:
 * letters, digits, dot, dash, underscore, plus and at, starting with a letter or digit, at most 128, and
 * never "..". Nothing built from them can land outside its folder.
 *
 * <p>An id derived from a name (a file name, an S3 key below the intake prefix) must never be shared by two
 * different names: a request id is submitted at most once, so a shared id would silently drop the second
 * input as a "duplicate". A name that is already a plain id ({@code clip-7.json}: safe characters, no '+',
 * short) keeps its stem; any other name gets a cleaned stem plus '+' and a 64-bit hash of the whole name. The
 * two kinds never meet: plain ids hold no '+', hashed ids always do (and a hashed id that comes back as a
 * name, as when the intake renames a file it cannot carry, keeps itself).
 */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");
    /** Room left for "-<n>" of an array element; a cleaned stem with "+<hash>" is as long. */
    private static final int MAX_PLAIN = 113;
    private static final int MAX_CLEANED = 96;
    private static final int HASH_HEX = 16;
    /** An id this class made from an unfit name: kept as it is when it comes back as a name (a renamed file). */
    private static final Pattern HASHED = Pattern.compile("[^+]+\\+[0-9a-f]{16}");

    private RequestIds() {
    }

    public static boolean isSafe(String id) {
        return id != null && SAFE.matcher(id).matches() && !id.contains("..");
    }

    /**
     * A safe id from a file name or a key below the intake prefix: {@code a.json} gives {@code a}; a name that
     * is not a plain id ({@code a b.json}, {@code team-a/clip.json}, a very long name, {@code A.JSON},
     * {@code notes.txt}) gives a cleaned stem, '+' and a hash of the whole name, so two names never give one id.
     */
    public static String fromFileName(String name) {
        String stem = name.endsWith(".json") ? name.substring(0, name.length() - 5) : null;
        if (stem != null && stem.length() <= MAX_PLAIN && isSafe(stem)
                && (stem.indexOf('+') < 0 || HASHED.matcher(stem).matches())) {
            return stem;
        }
        String base = stem != null ? stem : name;
        String cleaned = base.replaceAll("[^A-Za-z0-9._@-]", "_").replace("..", "_");
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0))) {
            cleaned = "r" + cleaned;
        }
        if (cleaned.length() > MAX_CLEANED) {
            cleaned = cleaned.substring(0, MAX_CLEANED);
        }
        if (cleaned.endsWith(".")) {
            cleaned = cleaned + "_";
        }
        return cleaned + "+" + hash(name);
    }

    /** The first {@value #HASH_HEX} hex digits of the SHA-256 of the text (UTF-8). */
    public static String hash(String text) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, HASH_HEX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
