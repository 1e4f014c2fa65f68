package org.audienceengine.deltas;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

class DeltaJsonTest {

    /** Delivery reads deltas off the topic and writes them again to raw connections. */
    @Test
    void aDeltaReadBackIsWrittenAsItWas() {
        MembershipDelta d = new MembershipDelta();
        d.deltaId = "a-1";
        d.audienceId = 3;
        d.audienceName = "Big spenders";
        d.mpid = -42;
        d.action = MembershipDelta.ADD;
        d.reason = Reason.CRITERIA;
        d.effectiveAt = 1_700_000_000_000L;
        d.seq = 1;
        d.profileCreatedAt = 1_690_000_000_000L;
        d.identities = Map.of("email", "ann@example.com");
        d.deviceIdentities = Map.of();
        Map<String, Object> attributes = new TreeMap<>();
        attributes.put("ltv", new BigDecimal("1500").stripTrailingZeros());
        attributes.put("wide", new BigDecimal("12345678901234567890.123456789"));
        attributes.put("tiny", new BigDecimal("-0.000001"));
        attributes.put("count", new BigDecimal("12"));
        attributes.put("tags", List.of("a", "b"));
        attributes.put("vip", Boolean.TRUE);
        d.userAttributes = attributes;
        d.environment = "production";

        String written = DeltaJson.toJson(d);
        assertThat(written).contains("\"wide\":12345678901234567890.123456789").contains("\"ltv\":1.5E+3");
        assertThat(DeltaJson.toJson(DeltaJson.fromJson(written))).isEqualTo(written);
    }
}
