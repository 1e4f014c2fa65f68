package org.audienceengine.ingest;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of an {@link IngestedBatch} between ingest and the keyed operator (and in the
 * event-time buffer): the batch as parsed once, so the keyed operator never parses JSON again.
 * A batch that carries only its raw payload (tests, tools) keeps it.
 */
public final class IngestedBatchSerializer extends TypeSerializerSingleton<IngestedBatch> {
    private static final long serialVersionUID = 1L;
    public static final IngestedBatchSerializer INSTANCE = new IngestedBatchSerializer();

    private static final int STRING = 0;
    private static final int NUMBER = 1;
    private static final int BOOLEAN = 2;
    private static final int LIST = 3;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public IngestedBatch createInstance() {
        return new IngestedBatch();
    }

    @Override
    public IngestedBatch copy(IngestedBatch from) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(512);
            serialize(from, out);
            return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public IngestedBatch copy(IngestedBatch from, IngestedBatch reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(IngestedBatch r, DataOutputView out) throws IOException {
        out.writeLong(r.mpid);
        out.writeLong(r.batchTime);
        out.writeLong(r.order);
        out.writeBoolean(r.receivedAt != null);
        if (r.receivedAt != null) {
            out.writeLong(r.receivedAt);
        }
        nullableString(r.erasureRequestId, out);
        out.writeBoolean(r.payload != null);
        if (r.payload != null) {
            out.writeInt(r.payload.length);
            out.write(r.payload);
        }
        out.writeBoolean(r.batch != null);
        if (r.batch != null) {
            batch(r.batch, out);
        }
    }

    @Override
    public IngestedBatch deserialize(DataInputView in) throws IOException {
        IngestedBatch r = new IngestedBatch();
        r.mpid = in.readLong();
        r.batchTime = in.readLong();
        r.order = in.readLong();
        r.receivedAt = in.readBoolean() ? in.readLong() : null;
        r.erasureRequestId = nullableString(in);
        if (in.readBoolean()) {
            r.payload = new byte[in.readInt()];
            in.readFully(r.payload);
        }
        if (in.readBoolean()) {
            r.batch = batch(in);
        }
        return r;
    }

    @Override
    public IngestedBatch deserialize(IngestedBatch reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<IngestedBatch> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer from savepoints; a format change needs a new snapshot version. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<IngestedBatch> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }

    private static void batch(Batch b, DataOutputView out) throws IOException {
        out.writeLong(b.mpid);
        StringValue.writeString(b.environment, out);
        out.writeLong(b.batchTime);
        nullableString(b.sourceRequestId, out);
        stringMap(b.userIdentities, out);
        valueMap(b.userAttributes, out);
        out.writeInt(b.deletedUserAttributes.size());
        for (String name : b.deletedUserAttributes) {
            StringValue.writeString(name, out);
        }
        stringMap(b.deviceInfo, out);
        out.writeInt(b.consent.size());
        for (Map.Entry<String, Batch.Consent> e : b.consent.entrySet()) {
            StringValue.writeString(e.getKey(), out);
            out.writeBoolean(e.getValue().consented);
            out.writeBoolean(e.getValue().timestamp != null);
            if (e.getValue().timestamp != null) {
                out.writeLong(e.getValue().timestamp);
            }
        }
        out.writeInt(b.events.size());
        for (Event e : b.events) {
            StringValue.writeString(e.type, out);
            nullableString(e.name, out);
            nullableString(e.customEventType, out);
            out.writeLong(e.time);
            valueMap(e.attributes, out);
            out.writeBoolean(e.hasLocation);
            if (e.hasLocation) {
                out.writeDouble(e.latitude);
                out.writeDouble(e.longitude);
            }
            nullableString(e.sourceMessageId, out);
        }
    }

    private static Batch batch(DataInputView in) throws IOException {
        Batch b = new Batch();
        b.mpid = in.readLong();
        b.environment = StringValue.readString(in);
        b.batchTime = in.readLong();
        b.sourceRequestId = nullableString(in);
        b.userIdentities = stringMap(in);
        b.userAttributes = valueMap(in);
        int deleted = in.readInt();
        b.deletedUserAttributes = new ArrayList<>(deleted);
        for (int i = 0; i < deleted; i++) {
            b.deletedUserAttributes.add(StringValue.readString(in));
        }
        b.deviceInfo = stringMap(in);
        int consents = in.readInt();
        b.consent = new LinkedHashMap<>();
        for (int i = 0; i < consents; i++) {
            String purpose = StringValue.readString(in);
            boolean consented = in.readBoolean();
            b.consent.put(purpose, new Batch.Consent(consented, in.readBoolean() ? in.readLong() : null));
        }
        int events = in.readInt();
        b.events = new ArrayList<>(events);
        for (int i = 0; i < events; i++) {
            String type = StringValue.readString(in);
            String name = nullableString(in);
            String customType = nullableString(in);
            long time = in.readLong();
            Map<String, Object> attributes = valueMap(in);
            boolean located = in.readBoolean();
            double lat = located ? in.readDouble() : 0;
            double lon = located ? in.readDouble() : 0;
            b.events.add(new Event(type, name, customType, time, attributes, located, lat, lon, nullableString(in)));
        }
        return b;
    }

    private static void nullableString(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            StringValue.writeString(s, out);
        }
    }

    private static String nullableString(DataInputView in) throws IOException {
        return in.readBoolean() ? StringValue.readString(in) : null;
    }

    /** Values may be null: a null upsert deletes the field. */
    private static void stringMap(Map<String, String> map, DataOutputView out) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            StringValue.writeString(e.getKey(), out);
            nullableString(e.getValue(), out);
        }
    }

    private static Map<String, String> stringMap(DataInputView in) throws IOException {
        int n = in.readInt();
        Map<String, String> map = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            map.put(StringValue.readString(in), nullableString(in));
        }
        return map;
    }

    private static void valueMap(Map<String, Object> map, DataOutputView out) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, Object> e : map.entrySet()) {
            StringValue.writeString(e.getKey(), out);
            Object v = e.getValue();
            out.writeBoolean(v != null);
            if (v instanceof String s) {
                out.writeByte(STRING);
                StringValue.writeString(s, out);
            } else if (v instanceof BigDecimal d) {
                out.writeByte(NUMBER);
                byte[] unscaled = d.unscaledValue().toByteArray();
                out.writeInt(d.scale());
                out.writeInt(unscaled.length);
                out.write(unscaled);
            } else if (v instanceof Boolean flag) {
                out.writeByte(BOOLEAN);
                out.writeBoolean(flag);
            } else if (v instanceof List<?> list) {
                out.writeByte(LIST);
                out.writeInt(list.size());
                for (Object element : list) {
                    StringValue.writeString((String) element, out);
                }
            } else if (v != null) {
                throw new IllegalArgumentException("not an attribute value: " + v.getClass().getSimpleName());
            }
        }
    }

    private static Map<String, Object> valueMap(DataInputView in) throws IOException {
        int n = in.readInt();
        Map<String, Object> map = new LinkedHashMap<>(Math.max(4, n * 2));
        for (int i = 0; i < n; i++) {
            String key = StringValue.readString(in);
            if (!in.readBoolean()) {
                map.put(key, null);
                continue;
            }
            int tag = in.readByte();
            switch (tag) {
                case STRING -> map.put(key, StringValue.readString(in));
                case NUMBER -> {
                    int scale = in.readInt();
                    byte[] unscaled = new byte[in.readInt()];
                    in.readFully(unscaled);
                    map.put(key, new BigDecimal(new BigInteger(unscaled), scale));
                }
                case BOOLEAN -> map.put(key, in.readBoolean());
                case LIST -> {
                    int size = in.readInt();
                    List<String> list = new ArrayList<>(size);
                    for (int j = 0; j < size; j++) {
                        list.add(StringValue.readString(in));
                    }
                    map.put(key, List.copyOf(list));
                }
                default -> throw new IOException("bad attribute tag " + tag);
            }
        }
        return map;
    }
}
