package org.audienceengine.connectors.delivery;

/** Builds test changes: odd seq = add, even = remove, as deltas.md has them. */
public final class Changes {

    public static final long CREATED = 1_767_139_200_000L;

    private Changes() {
    }

    public static AudienceChange change(String connection, long audienceId, long mpid, long seq) {
        AudienceChange c = AudienceChange.of(connection, audienceId + ":" + mpid + ":" + CREATED + ":" + seq,
                audienceId, mpid, seq % 2 == 1 ? "add" : "remove", seq);
        c.audienceName = "Audience " + audienceId;
        c.externalName = "aud_" + audienceId;
        c.profileCreatedAt = CREATED;
        c.effectiveAt = CREATED + seq;
        c.environment = "production";
        return c;
    }

    public static AudienceChange withEmail(AudienceChange c, String email) {
        return c.withIdentity("email", email);
    }

    public static AudienceChange withCustomer(AudienceChange c, String customerId) {
        return c.withIdentity("customer_id", customerId);
    }
}
