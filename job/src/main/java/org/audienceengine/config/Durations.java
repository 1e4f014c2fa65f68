package org.audienceengine.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations in settings and options: {@code <n>ms}, {@code <n>s}, {@code <n>m}, {@code <n>h}, {@code <n>d}. */
public final class Durations {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,12})(ms|s|m|h|d)");

    private Durations() {}

    public static long parseMillis(String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration like 90d, 12h, 30m, 10s or 500ms");
        }
        long n = Long.parseLong(m.group(1));
        long unit = switch (m.group(2)) {
            case "ms" -> 1L;
            case "s" -> 1_000L;
            case "m" -> 60_000L;
            case "h" -> 3_600_000L;
            default -> 86_400_000L;
        };
        if (n < 1) {
            throw new IllegalArgumentException("'" + text + "' must be positive");
        }
        return n * unit;
    }
}
