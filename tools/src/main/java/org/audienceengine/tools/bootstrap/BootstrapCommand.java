package org.audienceengine.tools.bootstrap;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.tools.state.StateOptions;
import org.audienceengine.tools.state.SavepointState;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bootstrap}: a new savepoint in which new audiences have the members, series and seqs
 * they would have had if they had always been live, from the events history up to the state's time.
 */
@Command(name = "bootstrap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Give new audiences their history: write a savepoint to resume the job from, with the new document in force.")
public final class BootstrapCommand implements Callable<Integer> {
    @Mixin
    StateOptions state;

    @Option(names = "--audiences", required = true, paramLabel = "NEW.json",
            description = "The new definitions: the live audiences unchanged, and the audiences to add.")
    Path audiences;

    @Option(names = "--history", required = true, split = ",", paramLabel = "FILE|kafka:TOPIC",
            description = "The events the job has applied: JSON Lines files (the batches up to the state's time count), or "
                    + "kafka:TOPIC, the events topic from the longest new window before the state's time up to exactly "
                    + "the offsets its source had reached.")
    List<String> history;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", defaultValue = "localhost:9092",
            description = "Kafka, for --history kafka:TOPIC (default: ${DEFAULT-VALUE}).")
    String bootstrapServers;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "The new savepoint's directory (must not exist).")
    Path out;

    @Override
    public Integer call() throws Exception {
        String json = Files.readString(audiences);
        AudienceSet proposed = StateOptions.definitionsOrReport(audiences, json);
        if (proposed == null) {
            return 1;
        }
        if (Files.exists(out)) {
            System.err.println("bootstrap: " + out + " exists; give a new directory");
            return 2;
        }
        Bootstrap.History source;
        if (history.size() == 1 && history.get(0).startsWith("kafka:")) {
            source = new Bootstrap.History(List.of(), bootstrapServers, history.get(0).substring("kafka:".length()));
        } else {
            List<Path> files = history.stream().map(Path::of).toList();
            for (Path file : files) {
                if (!Files.isRegularFile(file)) {
                    System.err.println("bootstrap: no history file " + file + " (or give kafka:TOPIC alone)");
                    return 2;
                }
            }
            source = new Bootstrap.History(files, null, null);
        }
        SavepointState s = state.open();
        AudienceSet live = s.definitions();
        String refusal = Bootstrap.refusal(live, proposed);
        if (refusal != null) {
            System.err.println("bootstrap: " + refusal);
            return 1;
        }
        if (s.walkUnfinished()) {
            System.err.println("bootstrap: a definitions change was still reaching the users when this state was taken;"
                    + " resume the job, let it finish (backfillRemainingUsers = 0), and take a new savepoint");
            return 1;
        }
        Bootstrap.Additions additions = Bootstrap.additions(live, proposed);
        if (additions.audiences().isEmpty()) {
            System.err.println("bootstrap: " + audiences + " adds no audience to the " + live.inEvaluationOrder().size() + " live ones");
            return 1;
        }
        Bootstrap.run(s, proposed, additions, source, state.lifetimeMs(), out);
        System.out.println("bootstrap: wrote " + out.toAbsolutePath() + ": audiences " + additions.audiences() + " added with "
                + additions.series().size() + " series from history up to " + java.time.Instant.ofEpochMilli(s.time())
                + "; the definitions in force are " + audiences);
        System.out.println("bootstrap: resume the job from it with " + audiences + " as its definitions file"
                + " (audiences.file): with that file the resume changes nothing more");
        return 0;
    }
}
