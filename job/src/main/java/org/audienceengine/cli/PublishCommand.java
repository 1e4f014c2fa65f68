package org.audienceengine.cli;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * {@code publish --audiences FILE}: the way to change the audiences of a running job. The
 * document is validated first (an invalid one is never sent), then written to the definitions
 * topic under one constant key, so that a compacted topic keeps exactly the newest document.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Validate an audience definitions document and send it to a running job's definitions topic.")
final class PublishCommand implements Callable<Integer> {
    /** The key of every document: compaction keeps the latest one. */
    static final String KEY = "audiences";

    @Option(names = "--audiences", required = true, paramLabel = "FILE", description = "The definitions document.")
    Path audiences;

    @Option(names = "--kafka", paramLabel = "HOST:PORT", description = "The job's broker (default: kafka.bootstrap-servers of --config).")
    String kafka;

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "conf/engine.yaml",
            description = "Settings: the broker and the definitions topic (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
        try {
            AudienceSet set = Files.loadDefinitions(audiences);
            Files.requireReadable(config);
            EngineConfig settings = EngineConfig.load(config);
            String bootstrap = kafka != null ? kafka : settings.bootstrapServers();
            String topic = settings.definitionsTopic();
            OneRecord.send(bootstrap, topic, KEY, set.sourceJson());
            System.out.println("publish: " + set.inEvaluationOrder().size() + " audience(s) from " + audiences
                    + " (sha-256 " + Definitions.fingerprint(set.sourceJson()) + ") sent to " + topic + " on " + bootstrap);
            return 0;
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            return 1;
        } catch (IOException | IllegalArgumentException | ExecutionException | TimeoutException
                 | org.apache.kafka.common.KafkaException e) {
            System.err.println("publish: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }
}
