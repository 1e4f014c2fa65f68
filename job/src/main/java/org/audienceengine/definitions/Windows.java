package org.audienceengine.definitions;

/**
 * Parses the window strings of audience definitions ({@code "<n>m"}, {@code "<n>h"}, {@code
 * "<n>d"}; 1m … 90d inclusive). The validator and the evaluation code share this so that a
 * window the validator accepted always parses to the same length at run time.
 */
public final class Windows {
    public static final long MINUTE_MILLIS = 60_000L;
    public static final long HOUR_MILLIS = 60 * MINUTE_MILLIS;
    public static final long DAY_MILLIS = 24 * HOUR_MILLIS;
    public static final long MIN_MILLIS = MINUTE_MILLIS;
    public static final long MAX_MILLIS = 90 * DAY_MILLIS;

    private static final String FORMAT_MESSAGE = "must be <n>m, <n>h or <n>d with n a positive integer";
    private static final String RANGE_MESSAGE = "must be between 1m and 90d";

    /** Long.parseLong cannot overflow below this; any longer number is far outside the range anyway. */
    private static final int MAX_PARSED_DIGITS = 18;

    private Windows() {}

    /**
     * The length of a window in milliseconds.
     *
     * <p>Only ASCII digits followed by one lower-case unit are accepted: no sign, no fraction, no
     * blanks, no other units ("7w"). Leading zeros are tolerated ("07d" is 7d) because they do not
     * change the number.
     *
     * @throws IllegalArgumentException if the text is not a window or lies outside 1m … 90d; the
     *     message is one of the validator's messages for that case
     */
    public static long windowMillis(String within) {
        if (within == null || within.length() < 2) {
            throw new IllegalArgumentException(FORMAT_MESSAGE);
        }
        long unit = switch (within.charAt(within.length() - 1)) {
            case 'm' -> MINUTE_MILLIS;
            case 'h' -> HOUR_MILLIS;
            case 'd' -> DAY_MILLIS;
            default -> throw new IllegalArgumentException(FORMAT_MESSAGE);
        };
        String digits = within.substring(0, within.length() - 1);
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            // Character.isDigit would also admit non-ASCII digits, which Long.parseLong accepts.
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException(FORMAT_MESSAGE);
            }
        }
        String significant = digits.replaceFirst("^0+(?=.)", "");
        if (significant.length() > MAX_PARSED_DIGITS) {
            throw new IllegalArgumentException(RANGE_MESSAGE);
        }
        long n = Long.parseLong(significant);
        if (n < 1 || n > MAX_MILLIS / unit) {
            throw new IllegalArgumentException(RANGE_MESSAGE);
        }
        return n * unit;
    }
}
