package org.audienceengine.erasure;

import org.audienceengine.ingest.BatchParser;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Keys of the identity → mpid index: a SHA-256 of type and (normalised) value, so the index holds
 * no identity in plain text, and an erased user's identities are not readable from it.
 */
public final class IdentityKeys {
    private IdentityKeys() {}

    public static String of(String type, String value) {
        String normalised = "email".equals(type) ? BatchParser.normalizeEmail(value) : value;
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((type + "\u0000" + normalised).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
