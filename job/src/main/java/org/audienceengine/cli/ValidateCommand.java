package org.audienceengine.cli;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.delivery.ConnectionsValidator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code validate --audiences FILE [--connections FILE]}: every error with its JSON path; exit 0
 * only if valid. Connections are checked against the audiences given.
 */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check audience definitions and connections.")
final class ValidateCommand implements Callable<Integer> {
    @Option(names = "--audiences", required = true, paramLabel = "FILE", description = "Audience definitions (JSON).")
    Path audiences;

    @Option(names = "--connections", paramLabel = "FILE", description = "Connections to partners (JSON).")
    Path connections;

    @Override
    public Integer call() {
        try {
            AudienceSet set = Files.loadDefinitions(audiences);
            System.out.println(audiences + ": valid, " + set.inEvaluationOrder().size() + " audience(s)");
            if (connections != null) {
                Files.requireReadable(connections);
                Set<Integer> ids = set.inEvaluationOrder().stream().map(Audience::id).collect(Collectors.toSet());
                List<String> errors = ConnectionsValidator.validate(
                        java.nio.file.Files.readString(connections, StandardCharsets.UTF_8), ids);
                if (!errors.isEmpty()) {
                    throw new CommandFailure(connections + ": invalid connections:" + System.lineSeparator() + "  "
                            + String.join(System.lineSeparator() + "  ", errors));
                }
                System.out.println(connections + ": valid");
            }
            return 0;
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println(connections + ": cannot read: " + e.getMessage());
            return 1;
        }
    }
}
