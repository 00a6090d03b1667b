package dev.soracamel.intake;

import java.util.regex.Pattern;

/**
 * Request and customer ids become file and folder names, so only a safe set of characters is accepted:
 * letters, digits, dot, dash, underscore, plus and at, starting with a letter or digit, at most 128, and
 * never "..". Nothing built from them can land outside its folder.
 */
public final class RequestIds {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

    private RequestIds() {
    }

    public static boolean isSafe(String id) {
        return id != null && SAFE.matcher(id).matches() && !id.contains("..");
    }

    /** A safe id from a file name: unsafe characters become '_'. */
    public static String fromFileName(String fileName) {
        String base = fileName;
        int slash = Math.max(base.lastIndexOf('/'), base.lastIndexOf('\\'));
        base = base.substring(slash + 1);
        if (base.toLowerCase().endsWith(".json")) {
            base = base.substring(0, base.length() - 5);
        }
        String safe = base.replaceAll("[^A-Za-z0-9._@+-]", "_").replace("..", "_");
        if (safe.isEmpty() || !Character.isLetterOrDigit(safe.charAt(0))) {
            safe = "r" + safe;
        }
        return safe.length() > 120 ? safe.substring(0, 120) : safe;
    }
}
