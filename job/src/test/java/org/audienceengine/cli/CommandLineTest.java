package org.audienceengine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

class CommandLineTest {
    @TempDir
    Path dir;

    @Test
    void validateAcceptsTheShippedDefinitions() {
        CommandLineRun run = CommandLineRun.of("validate", "--audiences", "../conf/audiences.json");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("valid");
    }

    @Test
    void validateReportsEveryErrorWithItsJsonPath() throws IOException {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, """
                {"audiences": [
                  {"id": 1, "name": "ok", "criteria": {"event": {"name": "x", "within": "91d"}}},
                  {"id": 1, "name": "", "criteria": {"and": []}, "colour": "red"}
                ]}""");
        CommandLineRun run = CommandLineRun.of("validate", "--audiences", broken.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("audiences[0].criteria.event.within: must be between 1m and 90d")
                .contains("audiences[1].id")
                .contains("audiences[1].name")
                .contains("audiences[1].criteria.and")
                .contains("audiences[1].colour")
                .doesNotContain("Exception");
    }

    @Test
    void badArgumentsPrintTheReasonAndAHintAndExitTwo() {
        CommandLineRun run = CommandLineRun.of("replay", "--events");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().split("\n")).hasSize(2);
        assertThat(run.err()).contains("--events").contains("see: audience-engine replay --help")
                .doesNotContain("Usage:");
        assertThat(CommandLineRun.of("no-such-command").exitCode()).isEqualTo(2);
        assertThat(CommandLineRun.of().exitCode()).isEqualTo(2);
    }

    @Test
    void unreadableFilesGiveOneClearLine() {
        CommandLineRun run = CommandLineRun.of("replay", "--events", dir.resolve("missing.jsonl").toString(),
                "--audiences", "../conf/audiences.json", "--out", dir.resolve("out").toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().strip()).endsWith("missing.jsonl: no such file").doesNotContain("\n");
    }

    @Test
    void notJsonDefinitionsAreReportedNotThrown() throws IOException {
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"audiences\": [");
        CommandLineRun run = CommandLineRun.of("validate", "--audiences", broken.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("$").doesNotContain("\tat ");
    }
}
