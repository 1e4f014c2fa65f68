package org.audienceengine.serialization;

import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Type information for records that Flink should serialize as JSON with Jackson: used for
 * records with map-valued fields (deltas). The JSON form is the record's documented wire form,
 * so it is also a stable state format.
 */
public final class JacksonTypeInfo<T> extends ExplicitTypeInfo<T> {
    private static final long serialVersionUID = 1L;

    public JacksonTypeInfo(Class<T> type) {
        super(type, new JacksonSerializer<>(type));
    }

    /** Use as {@code @TypeInfo(JacksonTypeInfo.Factory.class)} on a Jackson-mapped class. */
    public static final class Factory<T> extends TypeInfoFactory<T> {
        @Override
        @SuppressWarnings("unchecked")
        public TypeInformation<T> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new JacksonTypeInfo<>((Class<T>) t);
        }
    }
}
