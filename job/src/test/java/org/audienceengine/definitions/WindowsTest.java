package org.audienceengine.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.audienceengine.definitions.DefinitionsValidatorTest.WINDOW_FORMAT;

import org.junit.jupiter.api.Test;

/** Window lengths as the evaluation reads them: the same strings the validator accepts. */
class WindowsTest {
    @Test
    void windowMillis() {
        assertThat(Windows.windowMillis("1m")).isEqualTo(60_000L);
        assertThat(Windows.windowMillis("7d")).isEqualTo(7 * 86_400_000L);
        assertThat(Windows.windowMillis("2160h")).isEqualTo(Windows.windowMillis("90d"));
        assertThatThrownBy(() -> Windows.windowMillis("91d")).hasMessage("must be between 1m and 90d");
        assertThatThrownBy(() -> Windows.windowMillis(null)).hasMessage(WINDOW_FORMAT);
        assertThatThrownBy(() -> Windows.windowMillis("\u0667d")).hasMessage(WINDOW_FORMAT); // Arabic-Indic 7
    }
}
