package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResponseClassifierTest {

    @Test
    void classifiesEveryKindOfAnswerInOnePlace() {
        assertThat(ResponseClassifier.classify("webhook", "POST", 0, "")).isEqualTo(Outcome.RETRYABLE);
        assertThat(ResponseClassifier.classify("braze", "POST", 201, "")).isEqualTo(Outcome.SUCCESS);
        assertThat(ResponseClassifier.classify("mailchimp", "DELETE", 204, "")).isEqualTo(Outcome.SUCCESS);
        assertThat(ResponseClassifier.classify("mailchimp", "DELETE", 404, "")).isEqualTo(Outcome.SUCCESS);
        assertThat(ResponseClassifier.classify("mailchimp", "PUT", 404, "")).isEqualTo(Outcome.PERMANENT);
        assertThat(ResponseClassifier.classify("webhook", "DELETE", 404, "")).isEqualTo(Outcome.PERMANENT);
        assertThat(ResponseClassifier.classify("braze", "POST", 429, "")).isEqualTo(Outcome.RETRYABLE);
        assertThat(ResponseClassifier.classify("braze", "POST", 503, "")).isEqualTo(Outcome.RETRYABLE);
        assertThat(ResponseClassifier.classify("mailchimp", "PUT", 403,
                "{\"title\":\"TooManyRequests\",\"detail\":\"throttled\"}")).isEqualTo(Outcome.RETRYABLE);
        assertThat(ResponseClassifier.classify("mailchimp", "PUT", 403, "{\"title\":\"Forbidden\"}")).isEqualTo(Outcome.AUTH);
        assertThat(ResponseClassifier.classify("braze", "POST", 403, "throttled")).isEqualTo(Outcome.AUTH);
        assertThat(ResponseClassifier.classify("webhook", "POST", 401, "")).isEqualTo(Outcome.AUTH);
        assertThat(ResponseClassifier.classify("mailchimp", "PUT", 400, "")).isEqualTo(Outcome.PERMANENT);
        assertThat(ResponseClassifier.classify("braze", "POST", 422, "")).isEqualTo(Outcome.PERMANENT);
    }

    @Test
    void retryAfterInSecondsOnly() {
        assertThat(ResponseClassifier.retryAfterMs("2")).isEqualTo(2_000);
        assertThat(ResponseClassifier.retryAfterMs(null)).isEqualTo(-1);
        assertThat(ResponseClassifier.retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(-1);
    }

    @Test
    void backoffDoublesWithJitterUpToTheCap() {
        RetryPolicy p = new RetryPolicy(10_000, 10, 3_600_000, 500, 60_000, 100);
        for (int i = 0; i < 50; i++) {
            assertThat(p.backoffMs(1, -1)).isBetween(250L, 500L);
            assertThat(p.backoffMs(3, -1)).isBetween(1_000L, 2_000L);
            assertThat(p.backoffMs(20, -1)).isBetween(30_000L, 60_000L);
        }
        assertThat(p.backoffMs(1, 3_000)).isEqualTo(3_000);
        assertThat(RetryPolicy.from(new ObjectMapper().createObjectNode())).isEqualTo(p);
    }

    @Test
    void secretsResolveFromEnvAndFileAndNeverShow(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key");
        Files.writeString(file, "file-secret\n");
        SecretResolver r = new SecretResolver(Map.of("KEY", "env-secret"));
        ObjectMapper json = new ObjectMapper();
        Secret fromEnv = r.resolve(json.readTree("{\"env\":\"KEY\"}"), "c.api_key");
        Secret fromFile = r.resolve(json.readTree("{\"file\":\"" + file + "\"}"), "c.api_key");
        assertThat(fromEnv.reveal()).isEqualTo("env-secret");
        assertThat(fromFile.reveal()).isEqualTo("file-secret");
        assertThat(fromEnv.toString()).doesNotContain("env-secret");
        assertThatThrownBy(() -> r.resolve(json.readTree("{\"env\":\"MISSING\"}"), "c.api_key"))
                .hasMessageContaining("MISSING");
        assertThatThrownBy(() -> r.resolve(json.readTree("\"clear-text-key\""), "c.api_key"))
                .hasMessageNotContaining("clear-text-key");
    }

    @Test
    void rateLimiterAdmitsItsLimitPerWindowThenWaits() {
        RateLimiter r = new RateLimiter(3, 3_000);
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(1_000)).isZero();
        assertThat(r.tryAcquire(1_000)).isZero();
        assertThat(r.tryAcquire(1_000)).isEqualTo(2_000);
        assertThat(r.tryAcquire(3_000)).isZero();
        assertThat(r.tryAcquire(3_500)).isEqualTo(500);
        assertThat(r.tryAcquire(4_000)).isZero();
    }
}
