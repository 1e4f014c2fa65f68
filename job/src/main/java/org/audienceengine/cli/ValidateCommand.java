package org.audienceengine.cli;

import org.audienceengine.definitions.AudienceSet;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

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
                Files.loadConnections(connections, set);
                System.out.println(connections + ": valid");
            }
            return 0;
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            return 1;
        }
    }
}
