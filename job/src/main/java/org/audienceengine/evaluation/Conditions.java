package org.audienceengine.evaluation;

import org.audienceengine.ingest.DeviceIdentities;
import org.audienceengine.profile.BucketSeries;
import org.audienceengine.profile.UserProfile;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** The condition kinds of audiences.md, compiled. */
public final class Conditions {
    private Conditions() {}

    public record All(List<Condition> parts) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            for (Condition part : parts) {
                if (!part.test(c)) {
                    return false;
                }
            }
            return true;
        }
    }

    public record Any(List<Condition> parts) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            for (Condition part : parts) {
                if (part.test(c)) {
                    return true;
                }
            }
            return false;
        }
    }

    public record Not(Condition inner) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            return !inner.test(c);
        }
    }

    /** The aggregate that an event condition compares. */
    public enum Aggregate { COUNT, SUM, MIN, MAX, AVG }

    /**
     * @param slot shared by the set's conditions over the same series, window and aggregate, whose
     *     value one evaluation then computes once (see {@link EvaluationContext})
     */
    public record EventAggregate(long seriesKey, Window window, Aggregate aggregate, Comparison comparison, int slot)
            implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            if (aggregate == Aggregate.COUNT) {
                return comparison.testCount(c.count(this));
            }
            return comparison.testNumber(c.value(this));
        }

        /** The events in the window at T. */
        long count(BucketSeries buckets, long at) {
            long count = 0;
            if (buckets != null) {
                long last = window.bucketOf(at);
                for (int i = buckets.ceilingIndex(window.firstBucket(at)); i < buckets.size() && buckets.bucket(i) <= last; i++) {
                    count += buckets.count(i);
                }
            }
            return count;
        }

        /** The aggregate over the buckets in the window at T; null for "no value". */
        BigDecimal value(BucketSeries buckets, long at) {
            long count = 0;
            long numeric = 0;
            BigDecimal sum = BigDecimal.ZERO;
            BigDecimal min = null;
            BigDecimal max = null;
            if (buckets != null) {
                long last = window.bucketOf(at);
                for (int i = buckets.ceilingIndex(window.firstBucket(at)); i < buckets.size() && buckets.bucket(i) <= last; i++) {
                    count += buckets.count(i);
                    if (aggregate != Aggregate.COUNT && buckets.numericCount(i) > 0) {
                        numeric += buckets.numericCount(i);
                        sum = sum.add(buckets.sum(i), BucketSeries.PRECISION);
                        BigDecimal bMin = buckets.min(i);
                        BigDecimal bMax = buckets.max(i);
                        min = min == null || bMin.compareTo(min) < 0 ? bMin : min;
                        max = max == null || bMax.compareTo(max) > 0 ? bMax : max;
                    }
                }
            }
            return switch (aggregate) {
                case COUNT -> BigDecimal.valueOf(count);
                case SUM -> sum;
                case MIN -> min;
                case MAX -> max;
                case AVG -> numeric == 0 ? null : Average.of(sum, numeric);
            };
        }
    }

    public record UserAttribute(String name, Comparison comparison) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            return comparison.test(c.profile.attributes.get(name));
        }
    }

    /** A user identity, or a device identity field of device_info. */
    public record Identity(String type, Comparison comparison) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            Map<String, String> source =
                    DeviceIdentities.isIdentity(type) ? c.profile.deviceInfo : c.profile.identities;
            return comparison.test(source.get(type));
        }
    }

    public record Device(String field, Comparison comparison) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            return comparison.test(c.profile.deviceInfo.get(field));
        }
    }

    public record Consent(String purpose, boolean consented) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            UserProfile.Consent latest = c.profile.consent.get(purpose);
            return latest != null && latest.consented() == consented;
        }
    }

    public record FirstSeen(Window window) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            return window.contains(window.bucketOf(c.profile.firstSeenAt), c.at);
        }
    }

    public record Near(double latitude, double longitude, double radiusKm) implements Condition {
        static final double EARTH_RADIUS_KM = 6371.0088;

        @Override
        public boolean test(EvaluationContext c) {
            UserProfile p = c.profile;
            return p.hasLocation && haversineKm(latitude, longitude, p.latitude, p.longitude) <= radiusKm;
        }

        static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
            double dLat = Math.toRadians(lat2 - lat1);
            double dLon = Math.toRadians(lon2 - lon1);
            double h = Math.pow(Math.sin(dLat / 2), 2)
                    + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.pow(Math.sin(dLon / 2), 2);
            return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
        }
    }

    public record InAudience(int audienceId) implements Condition {
        @Override
        public boolean test(EvaluationContext c) {
            return c.isMember(audienceId);
        }
    }
}
