package org.audienceengine.replay;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.RawRecord;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads a JSON Lines file of batches as raw records that remember their file and line, so that a
 * dead letter can say where it came from. Lines are kept as bytes: a line that is not UTF-8 is
 * bad input for the ingest step to reject, not a reason for the reader to fail. A line longer
 * than a batch may be is cut (it is rejected as too large anyway).
 */
public final class JsonLinesFormat extends SimpleStreamFormat<RawRecord> {
    private static final long serialVersionUID = 1L;
    /** The order of a record is (file index, line); lines get the low 40 bits. */
    static final int LINE_BITS = 40;
    private static final int KEEP_BYTES = BatchParser.MAX_BATCH_BYTES + 1;

    private final String fileName;
    private final int fileIndex;

    public JsonLinesFormat(String fileName, int fileIndex) {
        this.fileName = fileName;
        this.fileIndex = fileIndex;
    }

    @Override
    public StreamFormat.Reader<RawRecord> createReader(Configuration config, FSDataInputStream stream) {
        return new LineReader(new BufferedInputStream(stream, 1 << 16), fileName, fileIndex);
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }

    private static final class LineReader implements StreamFormat.Reader<RawRecord> {
        private final InputStream in;
        private final String fileName;
        private final long orderBase;
        // Scanned a buffer at a time: a byte-at-a-time read of a buffered stream costs more than the parse.
        private final byte[] buffer = new byte[1 << 16];
        private int position, limit;
        private byte[] line = new byte[1024];
        private long lineNumber;

        LineReader(InputStream in, String fileName, int fileIndex) {
            this.in = in;
            this.fileName = fileName;
            this.orderBase = (long) fileIndex << LINE_BITS;
        }

        @Override
        public RawRecord read() throws IOException {
            while (true) {
                int kept = 0;
                boolean any = false, ended = false;
                while (!ended) {
                    if (position == limit) {
                        limit = Math.max(0, in.read(buffer));
                        position = 0;
                        if (limit == 0) {
                            break;
                        }
                    }
                    int from = position;
                    while (position < limit && buffer[position] != '\n') {
                        position++;
                    }
                    int n = Math.min(position - from, KEEP_BYTES - kept);
                    any |= position > from;
                    if (n > 0) {
                        if (kept + n > line.length) {
                            line = Arrays.copyOf(line, Math.max(kept + n, line.length * 2));
                        }
                        System.arraycopy(buffer, from, line, kept, n);
                        kept += n;
                    }
                    if (position < limit) {
                        position++; // the newline
                        ended = true;
                    }
                }
                if (!ended && !any) {
                    return null;
                }
                lineNumber++;
                int length = kept;
                if (length > 0 && line[length - 1] == '\r') {
                    length--;
                }
                if (isBlank(line, length)) {
                    continue;
                }
                return new RawRecord(fileName, -1, lineNumber, orderBase + lineNumber, null, Arrays.copyOf(line, length));
            }
        }

        private static boolean isBlank(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                if (bytes[i] != ' ' && bytes[i] != '\t') {
                    return false;
                }
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
