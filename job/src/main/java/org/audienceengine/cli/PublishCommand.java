package org.audienceengine.cli;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * {@code publish --audiences FILE}: the way to change the audiences of a running job. The
 * document is validated first (an invalid one is never sent), then written to the definitions
 * topic under one constant key, so that a compacted topic keeps exactly the newest document.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Validate an audience definitions document and send it to a running job's definitions topic.")
final class PublishCommand extends OneRecord {
    /** The key of every document: compaction keeps the latest one. */
    static final String KEY = "audiences";

    @Option(names = "--audiences", required = true, paramLabel = "FILE", description = "The definitions document.")
    Path audiences;

    @Override
    String name() {
        return "publish";
    }

    @Override
    Message message(EngineConfig settings) throws CommandFailure {
        AudienceSet set = Files.loadDefinitions(audiences);
        return new Message(settings.definitionsTopic(), KEY, set.sourceJson(), set.inEvaluationOrder().size()
                + " audience(s) from " + audiences + " (sha-256 " + Definitions.fingerprint(set.sourceJson()) + ") sent");
    }
}
