package dev.soracamel.text;

/**
 * Text that came from outside (file names, S3 keys, request ids, customer ids, URLs) as it may be shown in a
 * log line or a dead-letter reason: control characters, line and paragraph separators and format characters
 * (bidi overrides) are written as escapes, so a name can neither start a forged log line nor hide what it is.
 * Long values are cut, saying so.
 */
public final class Untrusted {

    private static final int MAX = 300;

    private Untrusted() {
    }

    /** The value with every control and format character escaped, at most {@value #MAX} characters of it. */
    public static String esc(Object value) {
        if (value == null) {
            return "null";
        }
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX) + 16);
        int shown = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (shown++ >= MAX) {
                sb.append("...(").append(s.codePointCount(0, s.length())).append(" characters)");
                break;
            }
            if (cp == '\n') {
                sb.append("\\n");
            } else if (cp == '\r') {
                sb.append("\\r");
            } else if (cp == '\t') {
                sb.append("\\t");
            } else if (cp == '\\') {
                sb.append("\\\\");
            } else if (needsEscape(cp)) {
                sb.append(cp <= 0xFFFF ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    /** Control characters, line/paragraph separators, format characters (bidi controls, zero widths). */
    static boolean needsEscape(int cp) {
        int type = Character.getType(cp);
        return Character.isISOControl(cp) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                || type == Character.SURROGATE || type == Character.PRIVATE_USE;
    }

    /**
     * True when the text has no visible content: only white space of any kind (no-break spaces, ideographic
     * space, ...), control or format characters. {@link String#isBlank()} misses most of these.
     */
    public static boolean isBlank(String s) {
        return words(s) == 0;
    }

    /** Words: runs of characters that are neither white space (any kind) nor control or format characters. */
    public static int words(String s) {
        if (s == null) {
            return 0;
        }
        int words = 0;
        boolean inWord = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean separator = isSeparator(cp);
            if (!separator && !inWord) {
                words++;
            }
            inWord = !separator;
        }
        return words;
    }

    /** White space of every kind Unicode has, and characters that show nothing. */
    public static boolean isSeparator(int cp) {
        int type = Character.getType(cp);
        return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp)
                || type == Character.FORMAT || cp == 0x180E || cp == 0x200B || cp == 0xFEFF || cp == 0x2800
                || cp == 0x3164 || cp == 0x115F || cp == 0x1160 || cp == 0xFFA0;
    }
}
