package org.audienceengine.cli;

/** A failure to report as one clear line (a bad file, say), not as a stack trace. */
final class CommandFailure extends Exception {
    CommandFailure(String message) {
        super(message, null, false, false);
    }

    CommandFailure(String message, Throwable cause) {
        super(message, cause, false, true);
    }
}
