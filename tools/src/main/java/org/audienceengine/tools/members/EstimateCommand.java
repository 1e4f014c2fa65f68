package org.audienceengine.tools.members;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.tools.state.StateOptions;
import org.audienceengine.tools.state.SavepointState;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code estimate}: the sizes audiences that are not live yet would have against a savepoint's
 * profiles, evaluated by the job's evaluator at the time the state stands at.
 */
@Command(name = "estimate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Preview the sizes of audiences not yet live against a savepoint's profiles.")
public final class EstimateCommand implements Callable<Integer> {
    @Mixin
    StateOptions state;

    @Option(names = "--audiences", required = true, paramLabel = "NEW.json", description = "The proposed audience definitions.")
    Path audiences;

    @Option(names = "--at", paramLabel = "TIME", description = "Evaluate at this time (default: the time the state stands at).")
    String at;

    @Override
    public Integer call() throws Exception {
        AudienceSet proposed = StateOptions.definitionsOrReport(audiences, Files.readString(audiences));
        if (proposed == null) {
            return 1;
        }
        SavepointState s = state.open();
        Map<Integer, String> cannot = Estimability.reasons(s.definitions(), proposed);
        Set<Integer> wanted = new HashSet<>();
        proposed.inEvaluationOrder().forEach(a -> wanted.add(a.id()));
        wanted.removeAll(cannot.keySet());
        long time = at == null ? s.time() : StateOptions.parseTime(at);
        Map<Integer, Long> counts = MembershipReaders.estimatedCounts(s, proposed, wanted, time);
        System.out.println("audience_id,name,estimated_members");
        for (Audience a : MembersCommand.sorted(proposed)) {
            if (!cannot.containsKey(a.id())) {
                System.out.println(a.id() + "," + MembersCommand.csv(a.name()) + "," + counts.getOrDefault(a.id(), 0L));
            }
        }
        for (Audience a : MembersCommand.sorted(proposed)) {
            if (cannot.containsKey(a.id())) {
                System.out.println("# audience " + a.id() + " (" + a.name() + ") cannot be estimated: " + cannot.get(a.id()));
            }
        }
        return 0;
    }
}
