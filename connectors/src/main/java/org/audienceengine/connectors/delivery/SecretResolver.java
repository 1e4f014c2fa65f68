package org.audienceengine.connectors.delivery;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves the secret references of the connections document, {@code {"env": NAME}} and
 * {@code {"file": PATH}}, once at start-up. Errors name the reference (the variable or file),
 * never a value.
 */
public final class SecretResolver {

    private final Map<String, String> env;

    /** @param env the environment to read {@code {"env": NAME}} from (tests pass their own) */
    public SecretResolver(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Reads the process environment. */
    public static SecretResolver system() {
        return new SecretResolver(System.getenv());
    }

    /**
     * @param reference the setting's value
     * @param where     where the reference is, for the error message (e.g. {@code hook.secret})
     */
    public Secret resolve(JsonNode reference, String where) {
        Objects.requireNonNull(where);
        if (reference != null && reference.path("env").isTextual()) {
            String name = reference.get("env").asText();
            String value = env.get(name);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(where + ": environment variable " + name + " is not set");
            }
            return new Secret(value);
        }
        if (reference != null && reference.path("file").isTextual()) {
            String file = reference.get("file").asText();
            try {
                // Secret files usually end with a newline that is not part of the secret.
                String value = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
                if (value.isEmpty()) {
                    throw new IllegalArgumentException(where + ": secret file " + file + " is empty");
                }
                return new Secret(value);
            } catch (IOException e) {
                throw new IllegalArgumentException(where + ": cannot read secret file " + file
                        + " (" + e.getClass().getSimpleName() + ")");
            }
        }
        // Never echo the node: it might be a secret written in clear.
        throw new IllegalArgumentException(where + ": must be {\"env\": NAME} or {\"file\": PATH}");
    }
}
