package org.audienceengine.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

import org.audienceengine.cli.CommandLineRun;
import org.audienceengine.definitions.Audience;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.evaluation.Explainer;
import org.audienceengine.profile.UserProfile;
import org.audienceengine.tools.state.SavepointState;
import org.audienceengine.tools.state.UserReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The read-only state tools on a savepoint and a retained checkpoint of the live job, against
 * {@code replay} of the same input: the memberships they read and the verdicts they explain must
 * be replay's, user for user.
 */
class StateToolsITCase {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;

    static LiveSavepoint live;
    /** audience id → mpids, from replay's members.csv. */
    static Map<Integer, Set<Long>> replayed;

    @BeforeAll
    static void takeSavepoint() throws Exception {
        live = LiveSavepoint.take(dir, 1_500);
        replayed = new TreeMap<>();
        List<String> rows = Files.readAllLines(live.replay().resolve("members.csv"));
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",");
            replayed.computeIfAbsent(Integer.parseInt(f[0]), k -> new TreeSet<>()).add(Long.parseLong(f[1]));
        }
        assertThat(replayed).hasSizeGreaterThan(5);
    }

    @Test
    void countsAreReplaysMembersOnTheSavepointAndOnTheCheckpoint() {
        for (Path state : List.of(live.savepoint(), live.checkpoint())) {
            CommandLineRun run = CommandLineRun.of("members", "--savepoint", state.toString(), "--count");
            assertThat(run.exitCode()).as(run.err()).isZero();
            Map<Integer, Long> counts = new TreeMap<>();
            for (String line : run.out().lines().skip(1).toList()) {
                String[] f = line.split(",");
                counts.put(Integer.parseInt(f[0]), Long.parseLong(f[f.length - 1]));
            }
            Map<Integer, Long> expected = new TreeMap<>();
            counts.keySet().forEach(id -> expected.put(id, (long) replayed.getOrDefault(id, Set.of()).size()));
            assertThat(counts).as(state.toString()).isEqualTo(expected).hasSize(19);
        }
    }

    @Test
    void anExportHoldsTheMembersWithTheirIdentities() throws Exception {
        int audience = replayed.entrySet().stream().max(Map.Entry.comparingByValue((a, b) -> a.size() - b.size()))
                .orElseThrow().getKey();
        Path csv = dir.resolve("members-" + audience + ".csv");
        CommandLineRun run = CommandLineRun.of("members", "--savepoint", live.savepoint().toString(), "--audience",
                Integer.toString(audience), "--out", csv.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).startsWith("mpid,").contains("email");
        Set<Long> mpids = lines.stream().skip(1).map(l -> Long.parseLong(l.split(",")[0])).collect(Collectors.toSet());
        assertThat(mpids).isEqualTo(replayed.get(audience));
    }

    /** Every user's every audience: the explained verdict at the state's time is the membership replay ends with. */
    @Test
    void explainedVerdictsAreTheJobsMembershipsForEveryUser() throws Exception {
        SavepointState state = SavepointState.open(live.savepoint(), 2);
        assertThat(state.time()).isEqualTo(live.time());
        List<String> rows = state.users(new Verdicts(state.definitions(), state.time()), Types.STRING);
        assertThat(rows).hasSizeGreaterThan(100);
        Map<Integer, Set<Long>> explained = new TreeMap<>();
        for (String row : rows) {
            String[] f = row.split(",");
            for (int i = 1; i < f.length; i++) {
                explained.computeIfAbsent(Integer.parseInt(f[i]), k -> new TreeSet<>()).add(Long.parseLong(f[0]));
            }
        }
        assertThat(explained).isEqualTo(replayed);
    }

    /** mpid, then the audiences whose explained verdict is "member", and a failure if state says otherwise. */
    private static final class Verdicts extends UserReader<String> {
        private static final long serialVersionUID = 1L;
        private final AudienceSet set;
        private final long at;

        Verdicts(AudienceSet set, long at) {
            this.set = set;
            this.at = at;
        }

        @Override
        protected void visit(long mpid, byte[] stored, UserProfile p, Collector<String> out) {
            StringBuilder row = new StringBuilder(Long.toString(mpid));
            for (Explainer.AudienceVerdict v : new Explainer(set, 90L * 86_400_000L).explain(p, at)) {
                Audience a = v.audience();
                if (v.verdict() != p.isMember(a.id())) {
                    throw new AssertionError("user " + mpid + " audience " + a.id() + ": explained " + v.verdict()
                            + ", held " + p.isMember(a.id()));
                }
                if (v.verdict()) {
                    row.append(',').append(a.id());
                }
            }
            out.collect(row.toString());
        }
    }

    @Test
    void inspectExplainsAMemberAsTextAndJsonAndFindsThemByIdentity() throws Exception {
        int audience = replayed.keySet().iterator().next();
        long mpid = replayed.get(audience).iterator().next();
        CommandLineRun text = CommandLineRun.of("inspect", "--savepoint", live.savepoint().toString(), "--mpid", Long.toString(mpid));
        assertThat(text.exitCode()).as(text.err()).isZero();
        assertThat(text.out()).contains("mpid " + mpid).contains("identities").contains("evaluated at")
                .containsPattern("audience " + audience + " \"[^\"]+\": member \\(seq \\d+, since ");

        CommandLineRun json = CommandLineRun.of("inspect", "--savepoint", live.savepoint().toString(), "--mpid", Long.toString(mpid),
                "--audience", Integer.toString(audience), "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        JsonNode doc = MAPPER.readTree(json.out());
        assertThat(doc.path("status").asText()).isEqualTo("found");
        assertThat(doc.path("audiences")).singleElement().satisfies(a -> {
            assertThat(a.path("id").asInt()).isEqualTo(audience);
            assertThat(a.path("member").asBoolean()).isTrue();
            assertThat(a.path("verdict").asBoolean()).isTrue();
            assertThat(a.path("criteria").path("verdict").asBoolean()).isTrue();
            assertThat(a.path("since").asLong()).isPositive().isLessThanOrEqualTo(live.time());
        });

        String email = doc.path("profile").path("identities").path("email").asText();
        assertThat(email).contains("@");
        CommandLineRun byIdentity = CommandLineRun.of("inspect", "--savepoint", live.savepoint().toString(), "--identity",
                "email=" + email.toUpperCase(java.util.Locale.ROOT), "--json");
        assertThat(byIdentity.exitCode()).as(byIdentity.err()).isZero();
        assertThat(MAPPER.readTree(byIdentity.out()).path("mpid").asLong()).isEqualTo(mpid);

        CommandLineRun nobody = CommandLineRun.of("inspect", "--savepoint", live.savepoint().toString(), "--identity",
                "email=nobody@example.invalid", "--json");
        assertThat(nobody.exitCode()).isEqualTo(3);
        assertThat(MAPPER.readTree(nobody.out()).path("status").asText()).isEqualTo("not_found");
    }

    @Test
    void estimateSizesCopiesOfLiveAudiencesAndSaysWhichItCannot() throws Exception {
        JsonNode doc = MAPPER.readTree(Files.readString(LiveSavepoint.AUDIENCES));
        com.fasterxml.jackson.databind.node.ArrayNode copies = MAPPER.createArrayNode();
        for (JsonNode a : doc.path("audiences")) {
            if (!a.toString().contains("\"audience\"")) {
                com.fasterxml.jackson.databind.node.ObjectNode copy = a.deepCopy();
                copy.put("id", a.path("id").asInt() + 1000);
                copies.add(copy);
            }
        }
        copies.add(MAPPER.readTree("{\"id\": 2000, \"name\": \"Refund seekers\", \"criteria\": "
                + "{\"event\": {\"name\": \"refund_requested\", \"within\": \"30d\"}}}"));
        copies.add(MAPPER.readTree("{\"id\": 2001, \"name\": \"Longer lapsed\", \"criteria\": "
                + "{\"event\": {\"type\": \"commerce_event\", \"name\": \"purchase\", \"within\": \"90d\"}}}"));
        Path proposed = dir.resolve("proposed.json");
        Files.writeString(proposed, MAPPER.createObjectNode().set("audiences", copies).toString());

        CommandLineRun run = CommandLineRun.of("estimate", "--savepoint", live.savepoint().toString(), "--audiences", proposed.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<Integer, Long> estimated = new TreeMap<>();
        for (String line : run.out().lines().skip(1).filter(l -> !l.startsWith("#")).toList()) {
            String[] f = line.split(",");
            estimated.put(Integer.parseInt(f[0]), Long.parseLong(f[f.length - 1]));
        }
        assertThat(estimated).isNotEmpty();
        estimated.forEach((id, n) -> assertThat(n).as("copy of %s", id - 1000)
                .isEqualTo(replayed.getOrDefault(id - 1000, Set.of()).size()));
        assertThat(run.out()).contains("# audience 2000 (Refund seekers) cannot be estimated: reads refund_requested within 30d, "
                + "which no live audience keeps");
        assertThat(run.out()).containsPattern("# audience 2001 \\(Longer lapsed\\) cannot be estimated: reads purchase within 90d, "
                + "but the live audiences keep only \\d+d of those events");
    }
}
