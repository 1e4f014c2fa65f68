package org.audienceengine.config;

/** Which clock windows are measured against (audiences.md "Windows and time"). */
public enum TimeMode {
    /** Replay: batch time; expiries fire as event time passes. */
    EVENT,
    /** Live: the wall clock; expiries fire from processing-time timers. */
    PROCESSING
}
