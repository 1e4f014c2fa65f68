package org.audienceengine.tools.members;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.java.tuple.Tuple2;

import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.tools.state.StateOptions;
import org.audienceengine.tools.state.SavepointState;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/** {@code members}: an audience's members from a savepoint as CSV, or every audience's size. */
@Command(name = "members", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Export an audience's members (mpid and identities) from a savepoint, or --count every audience.")
public final class MembersCommand implements Callable<Integer> {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Mixin
    StateOptions state;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Option(names = "--audience", paramLabel = "ID", description = "The audience to export.")
        Integer audience;

        @Option(names = "--count", description = "Print every audience's size instead.")
        boolean count;
    }

    @Option(names = "--out", paramLabel = "FILE.csv", description = "Write the CSV here (default: standard output).")
    Path out;

    @Override
    public Integer call() throws Exception {
        SavepointState s = state.open();
        AudienceSet set = s.definitions();
        try (PrintStream print = out == null ? new PrintStream(System.out, true, StandardCharsets.UTF_8)
                : new PrintStream(Files.newOutputStream(out), false, StandardCharsets.UTF_8)) {
            if (what.count) {
                Map<Integer, Long> counts = MembershipReaders.heldCounts(s);
                print.println("audience_id,name,members");
                for (Audience a : sorted(set)) {
                    print.println(a.id() + "," + csv(a.name()) + "," + counts.getOrDefault(a.id(), 0L));
                }
                return 0;
            }
            if (set.audience(what.audience) == null) {
                System.err.println("members: audience " + what.audience + " is not in the definitions in force");
                return 2;
            }
            List<Tuple2<Long, String>> rows = new ArrayList<>(MembershipReaders.members(s, what.audience));
            rows.sort(Comparator.comparingLong(r -> r.f0));
            List<Map<String, String>> identities = new ArrayList<>();
            TreeSet<String> types = new TreeSet<>();
            for (Tuple2<Long, String> row : rows) {
                Map<String, String> ids = MAPPER.readValue(row.f1, new TypeReference<Map<String, String>>() {});
                identities.add(ids);
                types.addAll(ids.keySet());
            }
            print.println("mpid" + (types.isEmpty() ? "" : "," + String.join(",", types)));
            for (int i = 0; i < rows.size(); i++) {
                StringBuilder line = new StringBuilder(Long.toString(rows.get(i).f0));
                for (String type : types) {
                    line.append(',').append(csv(identities.get(i).getOrDefault(type, "")));
                }
                print.println(line);
            }
            if (out != null) {
                System.out.println(rows.size() + " member(s) of audience " + what.audience + " written to " + out);
            }
            return 0;
        }
    }

    static List<Audience> sorted(AudienceSet set) {
        return set.inEvaluationOrder().stream().sorted(Comparator.comparingInt(Audience::id)).toList();
    }

    static String csv(String field) {
        return field.contains(",") || field.contains("\"") || field.contains("\n")
                ? '"' + field.replace("\"", "\"\"") + '"' : field;
    }
}
