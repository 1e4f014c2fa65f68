package org.audienceengine.erasure;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import org.audienceengine.ingest.DeadLetter;
import org.audienceengine.ingest.IngestFunction;
import org.audienceengine.ingest.RawRecord;
import org.audienceengine.ingest.Rejection;

import java.nio.charset.StandardCharsets;

/**
 * Parses erasure requests: requests by mpid go straight to the user, requests by identity to the
 * identity index (side output); unusable ones are dead-lettered like bad batches.
 */
public final class ErasureRequestFunction extends ProcessFunction<String, org.audienceengine.ingest.IngestedBatch> {
    public static final OutputTag<ErasureRequest> BY_IDENTITY = new OutputTag<>("erasure-by-identity") {};

    @Override
    public void processElement(String json, Context ctx, Collector<org.audienceengine.ingest.IngestedBatch> out) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        long now = ctx.timerService().currentProcessingTime();
        ErasureRequest request;
        try {
            request = ErasureRequest.parse(bytes, now);
        } catch (IllegalArgumentException e) {
            RawRecord record = new RawRecord("dsr-requests", -1, 0, 0, now, bytes);
            ctx.output(IngestFunction.DEAD_LETTERS,
                    DeadLetter.of(record, new Rejection(Rejection.Reason.WRONG_TYPE, "erasure request: " + e.getMessage())));
            return;
        }
        if (request.byIdentity()) {
            ctx.output(BY_IDENTITY, request);
        } else {
            // Erasures sort after the batches of the same instant (replay order).
            out.collect(org.audienceengine.ingest.IngestedBatch.erasure(
                    request.mpid, request.requestId, request.receivedAt, Long.MAX_VALUE));
        }
    }
}
