package org.audienceengine.cli;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;

import java.io.IOException;
import java.nio.file.Path;

/** Reading the files that commands take, with failures as one clear line each. */
final class Files {
    private Files() {}

    static AudienceSet loadDefinitions(Path file) throws CommandFailure {
        requireReadable(file);
        try {
            return Definitions.load(file);
        } catch (Definitions.InvalidDefinitionsException e) {
            StringBuilder message = new StringBuilder(file + ": invalid audience definitions:");
            for (String error : e.errors()) {
                message.append(System.lineSeparator()).append("  ").append(error);
            }
            throw new CommandFailure(message.toString());
        } catch (IOException e) {
            throw new CommandFailure(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** Reads and validates a connections document against the audiences in force. */
    static String loadConnections(Path file, AudienceSet audiences) throws CommandFailure {
        requireReadable(file);
        String json;
        try {
            json = java.nio.file.Files.readString(file, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CommandFailure(file + ": cannot read: " + e.getMessage(), e);
        }
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        audiences.inEvaluationOrder().forEach(a -> ids.add(a.id()));
        java.util.List<String> errors = org.audienceengine.delivery.ConnectionsValidator.validate(json, ids);
        if (!errors.isEmpty()) {
            throw new CommandFailure(file + ": invalid connections:" + System.lineSeparator() + "  "
                    + String.join(System.lineSeparator() + "  ", errors));
        }
        return json;
    }

    static void requireReadable(Path file) throws CommandFailure {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new CommandFailure(file + ": no such file");
        }
        if (!java.nio.file.Files.isReadable(file)) {
            throw new CommandFailure(file + ": not readable");
        }
    }
}
