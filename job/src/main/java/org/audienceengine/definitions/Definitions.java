package org.audienceengine.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads audience definitions: validate the whole document, then compile it. */
public final class Definitions {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Definitions() {}

    /** A document that failed validation, with every error as "json.path: message". */
    public static final class InvalidDefinitionsException extends Exception {
        private final List<String> errors;

        public InvalidDefinitionsException(List<String> errors) {
            super(errors.size() + " error(s) in audience definitions: " + String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        public List<String> errors() {
            return errors;
        }
    }

    public static AudienceSet parse(String json) throws InvalidDefinitionsException {
        List<String> errors = DefinitionsValidator.validate(json);
        if (!errors.isEmpty()) {
            throw new InvalidDefinitionsException(errors);
        }
        try {
            JsonNode root = MAPPER.readTree(json);
            return DefinitionsCompiler.compile(root, json);
        } catch (IOException e) {
            throw new InvalidDefinitionsException(List.of("$: " + e.getMessage()));
        }
    }

    public static AudienceSet load(Path file) throws IOException, InvalidDefinitionsException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** For text validated before the job started: a failure here is a bug, not bad input. */
    /**
     * A short fingerprint of a document (the first 12 hex digits of its SHA-256), so that the
     * document a job applies can be matched with the one that was published.
     */
    public static String fingerprint(String json) {
        try {
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(json.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(hash, 0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static AudienceSet parseValid(String json) {
        try {
            return parse(json);
        } catch (InvalidDefinitionsException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
