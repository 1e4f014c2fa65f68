package org.audienceengine.connectors.partnersim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultSpecTest {

    @Test
    void parsesRatesSeedAndDelay() {
        FaultSpec spec = FaultSpec.parse("5xx=0.10, 429=0.05,timeout=0.02,drop=0.01,auth=0,seed=42,slow_ms=15000");
        assertThat(spec.rate(FaultSpec.Kind.SERVER_ERROR)).isEqualTo(0.10);
        assertThat(spec.rate(FaultSpec.Kind.TOO_MANY_REQUESTS)).isEqualTo(0.05);
        assertThat(spec.rate(FaultSpec.Kind.TIMEOUT)).isEqualTo(0.02);
        assertThat(spec.rate(FaultSpec.Kind.DROP)).isEqualTo(0.01);
        assertThat(spec.rate(FaultSpec.Kind.AUTH)).isZero();
        assertThat(spec.seed()).isEqualTo(42L);
        assertThat(spec.slowMs()).isEqualTo(15_000);
        assertThat(FaultSpec.parse(spec.toString())).isEqualTo(spec);
    }

    @Test
    void blankAndNoneMeanNoFaults() {
        assertThat(FaultSpec.parse("")).isEqualTo(FaultSpec.NONE);
        assertThat(FaultSpec.parse(null).isNone()).isTrue();
        assertThat(FaultSpec.parse(" none ").toString()).isEqualTo("none");
        assertThat(FaultSpec.parse("seed=3").isNone()).isTrue();
    }

    @Test
    void rejectsTyposAndImpossibleRates() {
        assertThatThrownBy(() -> FaultSpec.parse("5xx=0.1,timout=0.1")).hasMessageContaining("unknown fault 'timout'");
        assertThatThrownBy(() -> FaultSpec.parse("5xx=1.5")).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> FaultSpec.parse("5xx=-0.1")).hasMessageContaining("[0, 1]");
        assertThatThrownBy(() -> FaultSpec.parse("5xx=0.6,drop=0.6")).hasMessageContaining("more than 1");
        assertThatThrownBy(() -> FaultSpec.parse("5xx")).hasMessageContaining("KEY=VALUE");
        assertThatThrownBy(() -> FaultSpec.parse("seed=x")).hasMessageContaining("bad number");
        assertThatThrownBy(() -> FaultSpec.parse("slow_ms=-1")).hasMessageContaining("negative");
    }

    @Test
    void oneDrawPicksAtMostOneKindBySlice() {
        FaultSpec spec = FaultSpec.parse("5xx=0.2,429=0.1,auth=0.1");
        assertThat(spec.pick(0.0)).isEqualTo(FaultSpec.Kind.SERVER_ERROR);
        assertThat(spec.pick(0.19)).isEqualTo(FaultSpec.Kind.SERVER_ERROR);
        assertThat(spec.pick(0.25)).isEqualTo(FaultSpec.Kind.TOO_MANY_REQUESTS);
        assertThat(spec.pick(0.35)).isEqualTo(FaultSpec.Kind.AUTH);
        assertThat(spec.pick(0.4)).isNull();
        assertThat(spec.positionIn(FaultSpec.Kind.SERVER_ERROR, 0.05)).isEqualTo(0.25);
        assertThat(spec.positionIn(FaultSpec.Kind.TOO_MANY_REQUESTS, 0.25)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
    }
}
