package org.audienceengine.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import org.audienceengine.ingest.Rejection.Reason;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a raw Events-API payload into a {@link Batch}, or says why it cannot be used. Every rule
 * of events.md "Bad input" is checked before anything is applied, so a batch is used whole or
 * not at all. Never throws on bad input.
 */
public final class BatchParser {
    public static final int MAX_BATCH_BYTES = 256 * 1024;
    static final int MAX_ATTRIBUTES = 100;
    static final int MAX_NAME_CHARS = 256;
    static final int MAX_VALUE_CHARS = 4096;
    static final int MAX_IDENTITY_CHARS = 256;
    static final int MAX_LIST_ENTRIES = 1000;
    /** 9999-12-31T23:59:59.999Z. */
    static final long MAX_TIME = 253_402_300_799_999L;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // A key twice in one object is not JSON a producer meant. Checked as the tree is built
            // (the replaced node tells), not by the parser's own detector, which keeps a second
            // set of every object's names.
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            // Numbers keep their exact value, so "12.0" and 12 compare as equal numbers.
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    private static final Pattern DECIMAL_LONG = Pattern.compile("-?[0-9]{1,19}");

    private BatchParser() {}

    /** Result of parsing: exactly one of batch and rejection is set. */
    public record Result(Batch batch, Rejection rejection) {
        public boolean ok() {
            return batch != null;
        }
    }

    /**
     * @param receivedAt wall-clock time of arrival, the event time of last resort; null in replay,
     *     where a batch without any time is rejected ({@link Reason#NO_TIME}).
     */
    public static Result parse(byte[] payload, Long receivedAt) {
        if (payload == null) {
            return reject(Reason.NOT_JSON, "empty record");
        }
        if (payload.length > MAX_BATCH_BYTES) {
            return reject(Reason.TOO_LARGE, "batch is " + payload.length + " bytes, over 256 KiB");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(payload);
        } catch (IOException | RuntimeException e) {
            return reject(Reason.NOT_JSON, firstLine(e.getMessage()));
        }
        if (root == null || root.isMissingNode()) {
            return reject(Reason.NOT_JSON, "empty record");
        }
        if (!root.isObject()) {
            return reject(Reason.NOT_AN_OBJECT, "batch is a JSON " + root.getNodeType().name().toLowerCase(Locale.ROOT));
        }
        try {
            return new Result(read(root, receivedAt), null);
        } catch (Invalid e) {
            return new Result(null, e.rejection);
        }
    }

    private static Batch read(JsonNode root, Long receivedAt) throws Invalid {
        Batch b = new Batch();
        Long batchTimestamp = optionalTime(root.get("timestamp_unixtime_ms"), Reason.WRONG_TYPE, "timestamp_unixtime_ms");
        b.environment = environment(root.get("environment"));
        b.sourceRequestId = optionalText(root.get("source_request_id"), "source_request_id");
        b.userIdentities = identities(root.get("user_identities"));
        b.userAttributes = UserAttributeReader.read(root.get("user_attributes"));
        b.deletedUserAttributes = deletedAttributes(root.get("deleted_user_attributes"));
        b.deviceInfo = deviceInfo(root.get("device_info"));
        b.consent = consent(root.get("consent_state"));
        Long fallbackTime = batchTimestamp != null ? batchTimestamp : receivedAt;
        b.events = EventReader.readAll(root.get("events"), fallbackTime);
        b.mpid = mpid(root.get("mpid"), b.userIdentities);

        if (b.events.isEmpty()) {
            if (fallbackTime == null) {
                throw new Invalid(Reason.NO_TIME, "batch has no events and no timestamp_unixtime_ms");
            }
            b.batchTime = fallbackTime;
        } else {
            long latest = Long.MIN_VALUE;
            for (Event e : b.events) {
                latest = Math.max(latest, e.time);
            }
            b.batchTime = latest;
        }
        return b;
    }

    private static long mpid(JsonNode node, Map<String, String> identities) throws Invalid {
        if (node != null && !node.isNull()) {
            if (node.isIntegralNumber() && node.canConvertToLong()) {
                return node.longValue();
            }
            if (node.isTextual() && DECIMAL_LONG.matcher(node.textValue()).matches()) {
                try {
                    return Long.parseLong(node.textValue());
                } catch (NumberFormatException overflow) {
                    throw new Invalid(Reason.WRONG_TYPE, "mpid is out of the 64-bit range");
                }
            }
            throw new Invalid(Reason.WRONG_TYPE, "mpid must be a 64-bit integer or decimal string");
        }
        String customerId = identities.get("customer_id");
        if (customerId != null) {
            return MpidDerivation.derive("customer_id", customerId);
        }
        String email = identities.get("email");
        if (email != null) {
            return MpidDerivation.derive("email", email);
        }
        throw new Invalid(Reason.NO_IDENTITY, "no mpid, customer_id or email");
    }

    private static String environment(JsonNode node) throws Invalid {
        if (node == null || node.isNull()) {
            // Required by the schema: a batch that does not say must never reach production
            // connections by accident (events.md).
            throw new Invalid(Reason.WRONG_TYPE, "environment is required: production or development");
        }
        if (node.isTextual()) {
            String env = node.textValue().toLowerCase(Locale.ROOT);
            if (env.equals("production") || env.equals("development")) {
                return env;
            }
        }
        throw new Invalid(Reason.WRONG_TYPE, "environment must be production or development");
    }

    private static Map<String, String> identities(JsonNode node) throws Invalid {
        Map<String, String> out = new HashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new Invalid(Reason.WRONG_TYPE, "user_identities must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            UserAttributeReader.checkName(field.getKey(), "user_identities");
            JsonNode value = field.getValue();
            if (value.isNull()) {
                out.put(field.getKey(), null);
                continue;
            }
            String text = jsonText(value, "user_identities." + field.getKey());
            if (chars(text) > MAX_IDENTITY_CHARS) {
                throw new Invalid(Reason.OVER_LIMIT, "user_identities." + field.getKey() + " is over 256 chars");
            }
            out.put(field.getKey(), field.getKey().equals("email") ? normalizeEmail(text) : text);
        }
        return out;
    }

    /** Emails are compared and forwarded trimmed and lower-cased (events.md). */
    public static String normalizeEmail(String email) {
        return email.trim().toLowerCase(Locale.ROOT);
    }

    private static List<String> deletedAttributes(JsonNode node) throws Invalid {
        List<String> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isArray()) {
            throw new Invalid(Reason.WRONG_TYPE, "deleted_user_attributes must be a list");
        }
        for (JsonNode name : node) {
            if (!name.isTextual()) {
                throw new Invalid(Reason.WRONG_TYPE, "deleted_user_attributes must hold strings");
            }
            out.add(name.textValue());
        }
        return out;
    }

    private static Map<String, String> deviceInfo(JsonNode node) throws Invalid {
        Map<String, String> out = new HashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new Invalid(Reason.WRONG_TYPE, "device_info must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            UserAttributeReader.checkName(field.getKey(), "device_info field");
            JsonNode value = field.getValue();
            if (value.isNull()) {
                out.put(field.getKey(), null);
            } else if (value.isValueNode()) {
                String text = value.asText();
                int limit = DeviceIdentities.isIdentity(field.getKey()) ? MAX_IDENTITY_CHARS : MAX_VALUE_CHARS;
                if (chars(text) > limit) {
                    throw new Invalid(Reason.OVER_LIMIT, "device_info." + field.getKey() + " is too long");
                }
                out.put(field.getKey(), text);
            }
            // Nested device_info fields are not read by any condition; ignored like unknown fields.
        }
        return out;
    }

    private static Map<String, Batch.Consent> consent(JsonNode node) throws Invalid {
        Map<String, Batch.Consent> out = new HashMap<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (!node.isObject()) {
            throw new Invalid(Reason.WRONG_TYPE, "consent_state must be an object");
        }
        JsonNode gdpr = node.get("gdpr");
        if (gdpr == null || gdpr.isNull()) {
            return out;
        }
        if (!gdpr.isObject()) {
            throw new Invalid(Reason.WRONG_TYPE, "consent_state.gdpr must be an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = gdpr.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> purpose = it.next();
            JsonNode record = purpose.getValue();
            UserAttributeReader.checkName(purpose.getKey(), "consent purpose");
            if (record.isNull() || record.path("consented").isNull()) {
                // null for an optional field means absent: no record for this purpose.
                continue;
            }
            String path = "consent_state.gdpr." + purpose.getKey();
            if (!record.isObject() || !record.path("consented").isBoolean()) {
                throw new Invalid(Reason.WRONG_TYPE, path + " must be {consented: boolean, ...}");
            }
            Long at = optionalTime(record.get("timestamp_unixtime_ms"), Reason.WRONG_TYPE, path + ".timestamp_unixtime_ms");
            out.put(purpose.getKey(), new Batch.Consent(record.get("consented").booleanValue(), at));
        }
        return out;
    }

    static Long optionalTime(JsonNode node, Reason reason, String path) throws Invalid {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new Invalid(reason, path + " must be an integer");
        }
        // Window and lifetime arithmetic overflows near the ends of the long range, which stalls
        // or corrupts a user's timers; no real event lies outside 1970 … 9999.
        long time = node.longValue();
        if (time < 0 || time > MAX_TIME) {
            throw new Invalid(reason, path + " must be between 0 and " + MAX_TIME + " (years 1970 to 9999)");
        }
        return time;
    }

    static String optionalText(JsonNode node, String path) throws Invalid {
        if (node == null || node.isNull()) {
            return null;
        }
        return jsonText(node, path);
    }

    /**
     * A string, or an integer or boolean taken as its JSON text ({@code 12345} and
     * {@code "12345"} are one value, events.md): the inbound schema types these fields as string,
     * number or boolean. A non-integer number has no single text and is a wrong type.
     */
    static String jsonText(JsonNode node, String path) throws Invalid {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isIntegralNumber() || node.isBoolean()) {
            return node.asText();
        }
        throw new Invalid(Reason.WRONG_TYPE, path + " must be a string, an integer or a boolean");
    }

    /** Limits count characters as a producer does (code points), not UTF-16 units. */
    static int chars(String text) {
        return text.codePointCount(0, text.length());
    }

    static BigDecimal decimal(JsonNode node) {
        return node.decimalValue().stripTrailingZeros();
    }

    private static Result reject(Reason reason, String detail) {
        return new Result(null, new Rejection(reason, detail));
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "not valid JSON";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        int tree = line.indexOf(" for `ObjectNode`");
        return "not valid JSON: " + (tree < 0 ? line : line.substring(0, tree));
    }

    /** Thrown inside the parser only; turned into a {@link Rejection} at the boundary. */
    static final class Invalid extends Exception {
        final Rejection rejection;

        Invalid(Reason reason, String detail) {
            super(detail, null, false, false);
            this.rejection = new Rejection(reason, detail);
        }
    }
}
