package org.audienceengine.ingest;

import org.apache.flink.api.common.typeinfo.TypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import org.audienceengine.serialization.ExplicitTypeInfo;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * What reaches a user's profile, keyed by mpid: a batch that passed validation, stamped with its
 * batch time, or an erasure request for the user ({@link #erasureRequestId} set, no payload).
 * Ingest parses each batch once and sends the parsed {@link Batch} ({@link IngestedBatchSerializer});
 * a batch made with only its raw payload (tests, tools) is parsed by the keyed operator.
 */
@TypeInfo(IngestedBatch.Types.class)
public class IngestedBatch {
    /** Flink's type information: the explicit serializer. */
    public static final class Types extends TypeInfoFactory<IngestedBatch> {
        @Override
        public TypeInformation<IngestedBatch> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new ExplicitTypeInfo<>(IngestedBatch.class, IngestedBatchSerializer.INSTANCE);
        }
    }

    public long mpid;
    /** Batch time; for an erasure request, the time it was received. */
    public long batchTime;
    public long order;
    public Long receivedAt;
    public byte[] payload;
    /** The parsed batch; null for an erasure request or a batch made from its payload only. */
    public Batch batch;
    /** Set when this is an erasure request rather than a batch. */
    public String erasureRequestId;

    public IngestedBatch() {}

    public IngestedBatch(long mpid, long batchTime, long order, Long receivedAt, byte[] payload) {
        this.mpid = mpid;
        this.batchTime = batchTime;
        this.order = order;
        this.receivedAt = receivedAt;
        this.payload = payload;
    }

    public static IngestedBatch erasure(long mpid, String requestId, long receivedAt, long order) {
        IngestedBatch request = new IngestedBatch(mpid, receivedAt, order, receivedAt, null);
        request.erasureRequestId = requestId;
        return request;
    }

    public boolean isErasure() {
        return erasureRequestId != null;
    }

    public long getMpid() {
        return mpid;
    }
}
