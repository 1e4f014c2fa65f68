package org.audienceengine.delivery;

import org.apache.flink.streaming.api.operators.AbstractStreamOperatorFactory;
import org.apache.flink.streaming.api.operators.StreamOperator;
import org.apache.flink.streaming.api.operators.StreamOperatorParameters;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperatorFactory;

import org.audienceengine.connectors.delivery.AudienceChange;

/** Creates {@link PartnerDeliveryOperator}s with the task's mailbox, which the replies go through. */
public final class PartnerDeliveryOperatorFactory extends AbstractStreamOperatorFactory<String>
        implements TwoInputStreamOperatorFactory<AudienceChange, String, String> {
    private static final long serialVersionUID = 1L;
    private final String connectionsJson;

    public PartnerDeliveryOperatorFactory(String connectionsJson) {
        this.connectionsJson = connectionsJson;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T extends StreamOperator<String>> T createStreamOperator(StreamOperatorParameters<String> parameters) {
        return (T) new PartnerDeliveryOperator(parameters, connectionsJson);
    }

    @Override
    public Class<? extends StreamOperator> getStreamOperatorClass(ClassLoader classLoader) {
        return PartnerDeliveryOperator.class;
    }
}
