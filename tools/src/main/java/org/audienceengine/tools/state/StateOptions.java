package org.audienceengine.tools.state;

import org.audienceengine.config.Durations;
import org.audienceengine.config.EngineSettings;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Instant;

/** The options every state tool shares: which state to read, and how the job was configured. */
public final class StateOptions {
    @Option(names = "--savepoint", required = true, paramLabel = "DIR",
            description = "A savepoint, or a retained checkpoint's chk-N directory, of the live job.")
    Path savepoint;

    @Option(names = "--profile-lifetime", paramLabel = "DURATION", defaultValue = "90d",
            description = "The job's profile.lifetime (default: ${DEFAULT-VALUE}).")
    String profileLifetime;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2",
            description = "Parallelism of the reading job (default: ${DEFAULT-VALUE}).")
    int parallelism;

    public SavepointState open() throws Exception {
        return SavepointState.open(savepoint, parallelism);
    }

    public long lifetimeMs() {
        return profileLifetime == null ? EngineSettings.DEFAULT_PROFILE_LIFETIME.toMillis()
                : Durations.parseMillis(profileLifetime);
    }

    /** The definitions document {@code json} read from {@code file}, or null once why it is invalid is printed. */
    public static AudienceSet definitionsOrReport(Path file, String json) {
        try {
            return Definitions.parse(json);
        } catch (Definitions.InvalidDefinitionsException e) {
            System.err.println(file + ": invalid");
            e.errors().forEach(error -> System.err.println("  " + error));
            return null;
        }
    }

    /** ISO-8601 ({@code 2026-05-03T14:00:00Z}) or epoch milliseconds. */
    public static long parseTime(String text) {
        return text.matches("-?\\d+") ? Long.parseLong(text) : Instant.parse(text).toEpochMilli();
    }
}
