package org.audienceengine.delivery;

import org.audienceengine.connectors.braze.BrazeOutput;
import org.audienceengine.connectors.delivery.AudienceChange;
import org.audienceengine.connectors.mailchimp.MailchimpOutput;

import java.util.Arrays;
import java.util.Objects;

/**
 * The partner member a change is about, per output kind, computed without the output's
 * credentials (routing runs before delivery): the same keys as the outputs' own
 * {@code orderingKey}.
 */
final class MemberKeys {
    private MemberKeys() {}

    /** The member within the connection, or null when the user has no identity the output accepts. */
    static String member(String output, AudienceChange c) {
        return switch (output) {
            case "mailchimp" -> {
                String email = MailchimpOutput.normalizedEmail(c);
                yield email == null ? null : MailchimpOutput.subscriberHash(email);
            }
            case "braze" -> BrazeOutput.externalId(c);
            default -> Long.toString(c.mpid);
        };
    }

    /**
     * Whether an identity change moves the user to another partner member or changes what the
     * partner is told: the email for Mailchimp, the customer_id for Braze, any identity otherwise.
     */
    static boolean changed(String output, AudienceChange before, AudienceChange after) {
        return switch (output) {
            case "mailchimp" -> !Objects.equals(MailchimpOutput.normalizedEmail(before), MailchimpOutput.normalizedEmail(after));
            case "braze" -> !Objects.equals(BrazeOutput.externalId(before), BrazeOutput.externalId(after));
            default -> !Arrays.equals(before.identityTypes, after.identityTypes)
                    || !Arrays.equals(before.identityValues, after.identityValues);
        };
    }
}
