package org.audienceengine.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The mpid of a batch that has none: the first 8 bytes (big-endian) of
 * SHA-256("customer_id:" + value) or SHA-256("email:" + trimmed lower-cased email), with the sign
 * bit cleared so that the mpid is positive. Fixed forever: changing it would split users.
 */
public final class MpidDerivation {
    private MpidDerivation() {}

    public static long derive(String identityType, String value) {
        byte[] hash = sha256((identityType + ":" + value).getBytes(StandardCharsets.UTF_8));
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (hash[i] & 0xff);
        }
        return id & Long.MAX_VALUE;
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
