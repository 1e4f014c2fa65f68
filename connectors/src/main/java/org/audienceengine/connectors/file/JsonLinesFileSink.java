package org.audienceengine.connectors.file;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.Function;

/**
 * Writes records as lines to {@code <directory>/<prefix>-<subtask>.jsonl}, one file per parallel
 * writer, for bounded runs and local inspection. It gives no exactly-once guarantee: after a
 * restore, lines written since the last checkpoint are written again. Transactional outputs
 * (Kafka) are the ones that guarantee exactly-once.
 */
public final class JsonLinesFileSink<T> implements Sink<T> {

    /** Renders one record as one line (without the line break). */
    public interface LineRenderer<T> extends Function<T, String>, Serializable {}

    private final String directory;
    private final String prefix;
    private final LineRenderer<T> renderer;

    public JsonLinesFileSink(Path directory, String prefix, LineRenderer<T> renderer) {
        this.directory = directory.toAbsolutePath().toString();
        this.prefix = prefix;
        this.renderer = renderer;
    }

    /** The file that the writer of {@code subtask} writes. */
    public static Path partFile(Path directory, String prefix, int subtask) {
        return directory.resolve(prefix + "-" + subtask + ".jsonl");
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
        int subtask = context.getTaskInfo().getIndexOfThisSubtask();
        Path dir = Paths.get(directory);
        Files.createDirectories(dir);
        return new LineWriter<>(
                Files.newBufferedWriter(partFile(dir, prefix, subtask), StandardCharsets.UTF_8),
                renderer);
    }

    private static final class LineWriter<T> implements SinkWriter<T> {
        private final BufferedWriter out;
        private final LineRenderer<T> renderer;

        LineWriter(BufferedWriter out, LineRenderer<T> renderer) {
            this.out = out;
            this.renderer = renderer;
        }

        @Override
        public void write(T element, Context context) throws IOException {
            out.write(renderer.apply(element));
            out.write('\n');
        }

        @Override
        public void flush(boolean endOfInput) {
            try {
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
