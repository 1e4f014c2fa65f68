package org.audienceengine.serialization;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

import java.lang.reflect.Type;
import java.util.Map;

/**
 * Type information for records that Flink should serialize as JSON with Jackson: used for
 * records with map-valued fields (deltas), which Flink's POJO serializer would otherwise hand to
 * Kryo. The JSON form is the record's documented wire form, so it is also a stable state format.
 */
public final class JacksonTypeInfo<T> extends TypeInformation<T> {
    private static final long serialVersionUID = 1L;
    private final Class<T> type;

    public JacksonTypeInfo(Class<T> type) {
        this.type = type;
    }

    /** Use as {@code @TypeInfo(JacksonTypeInfo.Factory.class)} on a Jackson-mapped class. */
    public static final class Factory<T> extends TypeInfoFactory<T> {
        @Override
        @SuppressWarnings("unchecked")
        public TypeInformation<T> createTypeInfo(Type t, Map<String, TypeInformation<?>> genericParameters) {
            return new JacksonTypeInfo<>((Class<T>) t);
        }
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return type;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return new JacksonSerializer<>(type);
    }

    @Override
    public String toString() {
        return "Json<" + type.getSimpleName() + ">";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JacksonTypeInfo<?> other && other.type == type;
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof JacksonTypeInfo;
    }
}
