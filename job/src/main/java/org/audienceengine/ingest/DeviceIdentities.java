package org.audienceengine.ingest;

import java.util.Set;

/** The device_info fields that identify a device (as opposed to describing it). */
public final class DeviceIdentities {
    public static final Set<String> FIELDS = Set.of(
            "ios_advertising_id",
            "android_advertising_id",
            "ios_idfv",
            "android_uuid",
            "push_token",
            "roku_advertising_id",
            "fire_advertising_id",
            "microsoft_advertising_id",
            "roku_publisher_id",
            "device_application_stamp");

    private DeviceIdentities() {}

    public static boolean isIdentity(String field) {
        return FIELDS.contains(field);
    }
}
