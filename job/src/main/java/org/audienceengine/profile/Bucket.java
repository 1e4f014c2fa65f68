package org.audienceengine.profile;

/** What one time bucket of one event series holds: a count and the numeric aggregates. */
public final class Bucket {
    public long count;
    /** How many of the counted events had a numeric value of the series' attribute. */
    public long numericCount;
    public double sum;
    public double min = Double.POSITIVE_INFINITY;
    public double max = Double.NEGATIVE_INFINITY;

    public void add(Double numericValue) {
        count++;
        if (numericValue != null) {
            numericCount++;
            sum += numericValue;
            min = Math.min(min, numericValue);
            max = Math.max(max, numericValue);
        }
    }
}
