package org.audienceengine.replay;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

import org.audienceengine.ingest.BatchParser;
import org.audienceengine.ingest.RawRecord;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

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
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        private long lineNumber;

        LineReader(InputStream in, String fileName, int fileIndex) {
            this.in = in;
            this.fileName = fileName;
            this.orderBase = (long) fileIndex << LINE_BITS;
        }

        @Override
        public RawRecord read() throws IOException {
            while (true) {
                line.reset();
                int c;
                boolean any = false;
                long kept = 0;
                while ((c = in.read()) != -1 && c != '\n') {
                    any = true;
                    if (kept++ < KEEP_BYTES) {
                        line.write(c);
                    }
                }
                if (c == -1 && !any) {
                    return null;
                }
                lineNumber++;
                byte[] bytes = line.toByteArray();
                int length = bytes.length;
                if (length > 0 && bytes[length - 1] == '\r') {
                    length--;
                }
                if (isBlank(bytes, length)) {
                    continue;
                }
                byte[] payload = length == bytes.length ? bytes : java.util.Arrays.copyOf(bytes, length);
                return new RawRecord(fileName, -1, lineNumber, orderBase + lineNumber, null, payload);
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
