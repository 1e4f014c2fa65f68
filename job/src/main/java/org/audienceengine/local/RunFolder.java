package org.audienceengine.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The folder of a local run ({@code out/local} by default) and what goes in it. Only these
 * entries are ever deleted, so pointing {@code --out} at a folder with other files is safe.
 */
public record RunFolder(Path root) {

    public Path deltas() {
        return root.resolve("deltas.jsonl");
    }

    public Path deadLetters() {
        return root.resolve("dlq.jsonl");
    }

    public Path erasureCompletions() {
        return root.resolve("dsr-completions.jsonl");
    }

    /** The embedded broker's storage, emptied when it starts. */
    public Path kafka() {
        return root.resolve("kafka");
    }

    public Path checkpoints() {
        return root.resolve("checkpoints");
    }

    public Path savepoints() {
        return root.resolve("savepoints");
    }

    /**
     * Creates the folder and empties the previous run's checkpoints and savepoints: a run starts
     * from nothing (its state is rebuilt from the replay), so they could only mislead.
     */
    public void prepare() throws IOException {
        Files.createDirectories(root);
        for (Path dir : List.of(checkpoints(), savepoints())) {
            deleteTree(dir);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
