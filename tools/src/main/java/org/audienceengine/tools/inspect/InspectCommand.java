package org.audienceengine.tools.inspect;

import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.Explainer;
import org.audienceengine.profile.ProfileCodec;
import org.audienceengine.profile.UserProfile;
import org.audienceengine.tools.state.StateOptions;
import org.audienceengine.tools.state.FoundUser;
import org.audienceengine.tools.state.SavepointState;
import org.audienceengine.tools.state.UserLookup;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code inspect}: one user's profile from a savepoint, with every audience's membership and its
 * criteria evaluated leaf by leaf by the job's own conditions ({@link Explainer}).
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Explain a user from a savepoint: profile, memberships, and each audience's criteria with their values.")
public final class InspectCommand implements Callable<Integer> {
    /** Exit code when the user is not in state (never seen, expired or erased). */
    public static final int NOT_FOUND = 3;

    @Mixin
    StateOptions state;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Who who;

    static final class Who {
        @Option(names = "--mpid", paramLabel = "N", description = "The user's mpid.")
        Long mpid;

        @Option(names = "--identity", paramLabel = "TYPE=VALUE", description = "An identity, e.g. email=ann@example.com.")
        String identity;
    }

    @Option(names = "--audience", paramLabel = "ID", description = "Only this audience.")
    Integer audience;

    @Option(names = "--at", paramLabel = "TIME",
            description = "Evaluate at this time, ISO-8601 or epoch ms (default: the time the state stands at).")
    String at;

    @Option(names = "--json", description = "One JSON document instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SavepointState s = state.open();
        FoundUser found;
        if (who.mpid != null) {
            found = UserLookup.byMpid(s, who.mpid);
        } else {
            int eq = who.identity.indexOf('=');
            if (eq <= 0) {
                System.err.println("inspect: --identity must be TYPE=VALUE, e.g. email=ann@example.com");
                return 2;
            }
            found = UserLookup.byIdentity(s, who.identity.substring(0, eq), who.identity.substring(eq + 1));
        }
        String asked = who.mpid != null ? "mpid " + who.mpid : who.identity;
        if (found == null) {
            System.out.println(json ? InspectReport.notFoundJson(asked) : asked + ": not_found (no profile in " + s.path() + ")");
            return NOT_FOUND;
        }
        AudienceSet set = s.definitions();
        if (audience != null && set.audience(audience) == null) {
            System.err.println("inspect: audience " + audience + " is not in the definitions in force");
            return 2;
        }
        long time = at == null ? s.time() : StateOptions.parseTime(at);
        UserProfile p = ProfileCodec.decode(found.profile);
        List<Explainer.AudienceVerdict> verdicts = new Explainer(set, state.lifetimeMs()).explain(p, time).stream()
                .filter(v -> audience == null || v.audience().id() == audience).toList();
        InspectReport report = new InspectReport(found.mpid, p, found.pending, time, s, verdicts);
        System.out.print(json ? report.json() : report.text());
        return 0;
    }
}
