package org.audienceengine.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.audienceengine.config.EngineSettings;
import org.audienceengine.deltas.MembershipDelta;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which connections a delta goes to: those that are enabled, include its audience, and take its
 * environment. Built from a connections document that {@link ConnectionsValidator} accepted.
 */
public final class Connections implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** One connection: its routing part, and its output settings (secrets only as references). */
    public record Route(String id, String output, Set<Integer> audiences, String environment, boolean enabled,
                        JsonNode settings) implements Serializable {
        boolean takes(MembershipDelta d) {
            return enabled && audiences.contains(d.audienceId) && (environment == null || environment.equals(d.environment));
        }
    }

    private final List<Route> routes;

    private Connections(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    public static Connections parse(String json) {
        try {
            JsonNode root = MAPPER.readTree(json);
            List<Route> routes = new ArrayList<>();
            for (JsonNode c : root.path("connections")) {
                Set<Integer> audiences = new HashSet<>();
                c.path("audiences").forEach(a -> audiences.add(a.intValue()));
                routes.add(new Route(c.get("id").textValue(), c.get("output").textValue(), Set.copyOf(audiences),
                        c.hasNonNull("environment") ? c.get("environment").textValue() : null,
                        !c.has("enabled") || c.get("enabled").booleanValue(), c.path("settings")));
            }
            return new Connections(routes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Route> routes() {
        return routes;
    }

    /** The identity type a partner output keys its members by, or {@link EngineSettings#ANY_IDENTITY}. */
    public static String identityTypeOf(String output) {
        return switch (output) {
            case "mailchimp" -> "email";
            case "braze" -> "customer_id";
            default -> EngineSettings.ANY_IDENTITY;
        };
    }

    /** Per audience, the identity types its enabled connections use (EngineSettings#identityTypesUsed). */
    public Map<Integer, Set<String>> identityTypesByAudience() {
        Map<Integer, Set<String>> out = new HashMap<>();
        for (Route r : routes) {
            if (r.enabled()) {
                for (int audience : r.audiences()) {
                    out.computeIfAbsent(audience, a -> new HashSet<>()).add(identityTypeOf(r.output()));
                }
            }
        }
        return out;
    }

    /** The connections this delta goes to, in document order. */
    public List<Route> routesFor(MembershipDelta delta) {
        List<Route> out = new ArrayList<>(2);
        for (Route r : routes) {
            if (r.takes(delta)) {
                out.add(r);
            }
        }
        return out;
    }
}
