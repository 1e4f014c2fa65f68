package org.audienceengine.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.audienceengine.cli.CommandLineRun;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

class ConnectionsValidatorTest {
    @TempDir
    Path dir;

    @Test
    void theShippedConnectionsAreValidAgainstTheShippedAudiences() {
        CommandLineRun run = CommandLineRun.of("validate", "--audiences", "../conf/audiences.json",
                "--connections", "../conf/connections.json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("connections.json: valid");
    }

    @Test
    void theExampleOfTheSpecIsValid() {
        String example = """
                {"connections": [
                  {"id": "mc-newsletter", "output": "mailchimp", "audiences": [101, 102], "environment": "production",
                   "settings": {"base_url": "https://us21.api.mailchimp.com/3.0", "api_key": {"env": "MAILCHIMP_API_KEY"},
                                "list_id": "a1b2c3", "double_opt_in": false, "delete_on_subscription_end": true,
                                "max_concurrency": 10}},
                  {"id": "braze-main", "output": "braze", "audiences": [101],
                   "settings": {"base_url": "https://rest.iad-01.braze.com", "api_key": {"env": "BRAZE_API_KEY"},
                                "send_segments_as": "single_attribute"}},
                  {"id": "hook", "output": "webhook", "audiences": [101, 102],
                   "settings": {"url": "https://example.com/mp", "secret": {"env": "HOOK_SECRET"},
                                "max_batch": 100, "max_wait_ms": 1000}}
                ]}""";
        assertThat(ConnectionsValidator.validate(example, Set.of(101, 102))).isEmpty();
    }

    @Test
    void everyErrorIsReportedWithItsPathAndNoSecretIsEchoed() {
        String broken = """
                {"connections": [
                  {"id": "a", "output": "mailchimp", "audiences": [101, 999],
                   "settings": {"base_url": "ftp://x", "api_key": "hunter2-plain-secret", "colour": 1}},
                  {"id": "a", "output": "pigeon", "audiences": [], "environment": "staging", "settings": {}},
                  {"id": "h", "output": "webhook", "audiences": [101],
                   "settings": {"url": "https://h", "secret": {"file": "/run/secrets/h"}, "max_batch": 0}}
                ], "extra": true}""";
        List<String> errors = ConnectionsValidator.validate(broken, Set.of(101));
        assertThat(errors).containsExactlyInAnyOrder(
                "extra: unknown key",
                "connections[0].audiences[1]: unknown audience 999",
                "connections[0].settings.colour: unknown key",
                "connections[0].settings.list_id: is required",
                "connections[0].settings.base_url: must be an http:// or https:// URL",
                "connections[0].settings.api_key: must be {\"env\": NAME} or {\"file\": PATH}; secrets are never written in this file",
                "connections[1].id: duplicate id a",
                "connections[1].output: must be one of mailchimp, braze, webhook, kafka, file",
                "connections[1].audiences: must be a non-empty list of audience ids",
                "connections[1].environment: must be production or development",
                "connections[2].settings.max_batch: must be an integer from 1 to 10000");
        assertThat(String.join("\n", errors)).doesNotContain("hunter2");
    }

    @Test
    void validateCommandRejectsBrokenConnections() throws IOException {
        Path file = dir.resolve("connections.json");
        Files.writeString(file, "{\"connections\": [{\"id\": \"x\"}]}");
        CommandLineRun run = CommandLineRun.of("validate", "--audiences", "../conf/audiences.json",
                "--connections", file.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("connections[0].output: is required").contains("connections[0].settings: is required");
        assertThat(ConnectionsValidator.validate("{", null)).singleElement().asString().startsWith("$: not valid JSON");
    }
}
