package org.audienceengine.cli;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.config.TimeMode;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.definitions.Definitions;
import org.audienceengine.kafka.Topics;
import org.audienceengine.live.LiveJob;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The job jar's main class: {@code flink run -p N audience-engine-…-flink-job.jar --config
 * conf/engine.yaml [--key value …]}. Settings come from the file, then the overrides (the same
 * dotted keys, cli.md). The audience definitions are validated before anything is submitted: an
 * invalid file never starts a job.
 *
 * <p>It never calls {@code System.exit}: when a job is submitted through the REST API, main runs
 * inside the JobManager. Failures are thrown with a one-line message, which the Flink client
 * prints, exiting non-zero.
 */
public final class ClusterEntryPoint {
    static final String JOB_NAME = "audience-engine";
    static final String USAGE = "usage: flink run [-p N] <engine>-flink-job.jar [--config FILE] [--<key> <value>]...\n"
            + "keys (see conf/engine.yaml): " + String.join(", ", EngineConfig.defaultValues().keySet())
            + ", kafka.properties.<kafka client setting>";

    private ClusterEntryPoint() {}

    /** A reason not to start, as one message; {@code usage} marks bad arguments. */
    static final class StartFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final boolean usage;

        StartFailure(String message, boolean usage) {
            super(message, null, false, false);
            this.usage = usage;
        }
    }

    /** Settings, definitions and (when configured) the validated connections document. */
    record Prepared(EngineConfig config, AudienceSet audiences, String connectionsJson) {}

    public static void main(String[] args) throws Exception {
        Prepared prepared;
        try {
            prepared = prepare(args);
        } catch (StartFailure failure) {
            System.err.println(failure.getMessage());
            if (failure.usage) {
                System.err.println(USAGE);
            }
            throw new IllegalArgumentException(failure.getMessage());
        }
        print(prepared, System.out);
        try {
            List<String> created = Topics.ensure(prepared.config(),
                    Topics.required(prepared.config(), prepared.connectionsJson() != null));
            if (!created.isEmpty()) {
                System.out.println("audience-engine: created topic(s) " + String.join(", ", created));
            }
        } catch (Topics.MissingTopicsException e) {
            System.err.println(e.getMessage());
            throw new IllegalStateException(e.getMessage());
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        LiveJob.build(env, prepared.config(), prepared.audiences().sourceJson(),
                LiveJob.Options.unbounded().withConnections(prepared.connectionsJson()));
        env.execute(JOB_NAME);
    }

    static Prepared prepare(String[] args) throws StartFailure {
        Path configFile = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new StartFailure("unexpected argument '" + arg + "'", true);
            }
            String key = arg.substring(2);
            String value;
            int equals = key.indexOf('=');
            if (equals >= 0) {
                value = key.substring(equals + 1);
                key = key.substring(0, equals);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new StartFailure("--" + key + " needs a value", true);
            }
            if (key.equals("config")) {
                configFile = Path.of(value);
            } else if (overrides.put(key, value) != null) {
                throw new StartFailure("--" + key + " is given twice", true);
            }
        }
        EngineConfig config;
        try {
            EngineConfig base = EngineConfig.defaults();
            if (configFile != null) {
                Files.requireReadable(configFile);
                base = EngineConfig.load(configFile);
            }
            config = base.with(overrides);
        } catch (CommandFailure e) {
            throw new StartFailure(e.getMessage(), false);
        } catch (EngineConfig.InvalidConfigException e) {
            String where = configFile == null ? "settings" : configFile.toString();
            throw new StartFailure(where + ": invalid settings:" + System.lineSeparator() + "  "
                    + String.join(System.lineSeparator() + "  ", e.errors()),
                    e.errors().stream().anyMatch(error -> error.endsWith(": unknown setting")));
        } catch (IOException e) {
            throw new StartFailure(configFile + ": cannot read: " + e.getMessage(), false);
        }
        try {
            AudienceSet audiences = Files.loadDefinitions(config.audiencesFile());
            String connections = config.connectionsFile().isPresent()
                    ? Files.loadConnections(config.connectionsFile().get(), audiences)
                    : null;
            return new Prepared(config, audiences, connections);
        } catch (CommandFailure e) {
            throw new StartFailure(e.getMessage(), false);
        }
    }

    private static void print(Prepared prepared, PrintStream out) {
        out.println("audience-engine: " + prepared.audiences().inEvaluationOrder().size() + " audience(s) from "
                + prepared.config().audiencesFile() + " (document "
                + Definitions.fingerprint(prepared.audiences().sourceJson()) + "), settings:");
        for (String line : prepared.config().toString().split("\n")) {
            out.println("  " + line);
        }
        if (prepared.config().timeMode() == TimeMode.EVENT) {
            out.println("audience-engine: warning: in event time deltas are released as batch time passes,"
                    + " which on an endless topic never happens; processing is the live mode");
        }
    }
}
