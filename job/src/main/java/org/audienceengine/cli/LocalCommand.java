package org.audienceengine.cli;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.definitions.AudienceSet;
import org.audienceengine.kafka.Topics;
import org.audienceengine.local.Feeder;
import org.audienceengine.local.LocalFlink;
import org.audienceengine.local.LocalKafka;
import org.audienceengine.local.LocalPartners;
import org.audienceengine.local.OutputRecorder;
import org.audienceengine.local.Report;
import org.audienceengine.local.RunFolder;
import org.audienceengine.local.SampleTimeline;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code local}: the live job with everything it needs started in this JVM (Kafka, a Flink mini
 * cluster with its dashboard, a feeder playing the sample, a reader of the outputs), printing
 * progress until Ctrl-C or {@code --duration}, then a per-audience summary.
 */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the live job locally with no setup: Kafka, Flink and its web dashboard, the sample replayed.",
            "Deltas and dead letters go under --out; Ctrl-C (or --duration) stops it and prints a per-audience summary."})
final class LocalCommand implements java.util.concurrent.Callable<Integer> {
    static final String JOB_NAME = "audience-engine local";
    private static final Path DEFAULT_CONFIG = Path.of("conf/engine.yaml");
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "0",
            description = "Stop this long after the job is running (default: run until Ctrl-C).")
    long durationSeconds;

    @Option(names = "--speed", paramLabel = "N", defaultValue = "60000",
            description = "Play the sample up to --sample-now N times faster than real time "
                    + "(default: ${DEFAULT-VALUE}: the four-month sample in about 3 minutes).")
    double speed;

    @Option(names = "--sample-now", paramLabel = "TIME",
            description = "The sample instant that is 'now' when the catch-up ends, ISO-8601 (2026-04-30T13:44:50Z) "
                    + "or epoch ms; later batches follow in real time (default: the sample's last batch).")
    String sampleNow;

    @Option(names = "--dashboard-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Port of the Flink web dashboard on 127.0.0.1 (default: ${DEFAULT-VALUE}).")
    int dashboardPort;

    @Option(names = "--kafka", paramLabel = "HOST:PORT",
            description = "Use this running Kafka instead of starting one (topics are created if missing).")
    String kafka;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/local",
            description = "Where deltas.jsonl, dlq.jsonl, dsr-completions.jsonl, checkpoints and Kafka's data go "
                    + "(default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--events", paramLabel = "FILE", defaultValue = "conf/sample/events.jsonl",
            description = "Batches to replay, one per line (default: ${DEFAULT-VALUE}).")
    Path events;

    @Option(names = "--audiences", paramLabel = "FILE",
            description = "Audience definitions (default: audiences.file of the settings, conf/audiences.json).")
    Path audiences;

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "2", description = "Parallelism (default: ${DEFAULT-VALUE}).")
    int parallelism;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Settings file (default: conf/engine.yaml when present, else built-in defaults).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one setting of the settings file, e.g. --set checkpoint.interval=5s (repeatable).")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Option(names = "--connections", paramLabel = "FILE", defaultValue = "conf/connections.json",
            description = "Partner connections, pointed at the bundled partner simulator (default: ${DEFAULT-VALUE}).")
    Path connections;

    @Option(names = "--no-partners", description = "Do not start the partner simulator or deliver to connections.")
    boolean noPartners;

    @Option(names = "--verbose", description = "Print stack traces of failures.")
    boolean verbose;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() {
        try {
            return run();
        } catch (CommandFailure failure) {
            System.err.println(failure.getMessage());
            if (verbose && failure.getCause() != null) {
                failure.getCause().printStackTrace();
            }
            return 1;
        }
    }

    private int run() throws CommandFailure {
        checkArguments();
        EngineConfig settings = settings();
        AudienceSet set = Files.loadDefinitions(settings.audiencesFile());
        SampleTimeline timeline = FeedCommand.loadSample(events);
        long anchor = anchor(timeline);
        requireFreePort();
        RunFolder folder = new RunFolder(out);
        try {
            folder.prepare();
        } catch (IOException | RuntimeException e) {
            throw new CommandFailure(out + ": " + e.getMessage(), e);
        }

        Thread hook = new Thread(this::stopFromSignal, "local-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return runStarted(settings, set, timeline, anchor, folder);
        } finally {
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and waits for this.
            }
        }
    }

    /** Ctrl-C: ask the command to stop, then let the JVM exit only once it has cleaned up. */
    private void stopFromSignal() {
        stopRequested.countDown();
        try {
            stopped.await(2, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int runStarted(EngineConfig base, AudienceSet set, SampleTimeline timeline, long anchor, RunFolder folder) {
        Instant began = Instant.now();
        LocalKafka broker = null;
        OutputRecorder recorder = null;
        LocalFlink flink = null;
        Feeder feeder = null;
        LocalPartners partners = null;
        int exit = 0;
        boolean interrupted = false;
        try {
            broker = kafka != null ? LocalKafka.existing(kafka) : LocalKafka.embedded(folder.kafka());
            EngineConfig settings = base.with(Map.of(EngineConfig.BOOTSTRAP_SERVERS, broker.bootstrapServers()));
            System.out.println("local: Kafka " + (broker.isEmbedded() ? "started on " : "at ") + broker.bootstrapServers());
            broker.createTopics(settings, Topics.required(settings, true));
            Map<String, Path> files = new LinkedHashMap<>();
            files.put(settings.deltasTopic(), folder.deltas());
            files.put(settings.deadLettersTopic(), folder.deadLetters());
            files.put(settings.dsrCompletionsTopic(), folder.erasureCompletions());
            recorder = new OutputRecorder(broker.bootstrapServers(), files, settings.deltasTopic());
            recorder.start();
            if (stopRequested.getCount() == 0) {
                return 0;
            }

            if (!noPartners) {
                partners = LocalPartners.start(Files.loadConnections(connections, set), folder.checkpoints().resolveSibling("secrets"));
                System.out.println("local: partner simulator on " + partners.baseUrl() + " (state: " + partners.baseUrl()
                        + "/state); connections from " + connections + " point at it");
            }
            flink = LocalFlink.submit(settings, set.sourceJson(), partners == null ? null : partners.connectionsJson(),
                    dashboardPort, JOB_NAME);
            System.out.println("local: Flink dashboard on " + flink.dashboardUrl() + " (job " + flink.jobId() + ")");
            flink.awaitRunning(Duration.ofSeconds(120));
            if (stopRequested.getCount() == 0) {
                return 0;
            }

            feeder = new Feeder(timeline, broker.bootstrapServers(), settings.eventsTopic(), speed, anchor);
            feeder.start();
            System.out.printf("local: replaying %s: %,d lines from %s to %s, at %,.0fx%n", events,
                    timeline.lines().size(), Report.sampleTime(timeline.firstTime()),
                    Report.sampleTime(timeline.lastTime()), speed);
            System.out.printf("local: every time is shifted by %s: %s becomes now at %s, when the catch-up ends;%n"
                            + "       from then on windows run out on the wall clock%n",
                    Report.shift(feeder.shiftMs()), Report.sampleTime(feeder.catchUpEndsAt() - feeder.shiftMs()),
                    Report.clock(Instant.ofEpochMilli(feeder.catchUpEndsAt())));
            System.out.println("local: " + (durationSeconds > 0 ? "stopping after " + durationSeconds + "s" : "Ctrl-C stops")
                    + "; deltas are committed at each checkpoint (every " + settings.get(EngineConfig.CHECKPOINT_INTERVAL) + ")");
            exit = watch(flink, feeder, recorder, set, settings);
        } catch (InterruptedException e) {
            // Whoever runs the command in-process wants it to stop: a clean stop too. The flag is
            // set again once the job and the broker are down, or every wait below would fail fast.
            interrupted = true;
        } catch (Exception e) {
            if (verbose) {
                e.printStackTrace();
            }
            System.err.println("local: " + describe(e));
            exit = 1;
        } finally {
            String savepoint = null;
            if (feeder != null) {
                feeder.close();
            }
            java.util.Map<String, long[]> delivery = partners == null ? null : partners.settle(folder.deltas());
            if (flink != null) {
                savepoint = flink.stop(folder.savepoints(), Duration.ofSeconds(60));
            }
            if (recorder != null) {
                recorder.drain(Duration.ofSeconds(15));
                recorder.close();
            }
            if (broker != null) {
                broker.close();
            }
            if (recorder != null) {
                Report.Totals totals = Report.totals(feeder, recorder, base);
                Report.printSummary(System.out, Duration.between(began, Instant.now()), totals,
                        set.inEvaluationOrder(), recorder,
                        List.of(folder.deltas().toString(), folder.deadLetters().toString(),
                                folder.erasureCompletions().toString(),
                                folder.checkpoints().toString()));
                if (savepoint != null) {
                    System.out.println("final savepoint " + savepoint + ": the job's state when it stopped, for"
                            + " a look inside; the next local run starts afresh and deletes it");
                }
            }
            if (delivery != null) {
                LocalPartners.printDelivery(System.out, flink == null ? java.util.Map.of() : flink.accumulators(), delivery);
            }
            if (partners != null) {
                partners.close();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return exit;
    }

    /** Prints progress until Ctrl-C, --duration or the job's end; returns the exit code. */
    /** Adds and removes per audience that progress lines have shown so far. */
    private final Map<Integer, long[]> reported = new HashMap<>();

    private int watch(LocalFlink flink, Feeder feeder, OutputRecorder recorder, AudienceSet set, EngineConfig settings)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationSeconds);
        boolean announcedCatchUp = false;
        boolean reportedFeedFailure = false;
        boolean reportedReadFailure = false;
        long lastLine = System.nanoTime();
        while (true) {
            long wait = durationSeconds == 0 ? PROGRESS_EVERY.toNanos()
                    : Math.min(PROGRESS_EVERY.toNanos(), deadline - System.nanoTime());
            if (wait <= 0 || stopRequested.await(wait, TimeUnit.NANOSECONDS)) {
                if (System.nanoTime() - lastLine > TimeUnit.SECONDS.toNanos(1)) {
                    System.out.println(Report.progressLine(feeder, recorder, set.inEvaluationOrder(), settings, reported));
                }
                return 0;
            }
            if (flink.endedOnItsOwn()) {
                System.err.println("local: the job ended: " + flink.failureMessage());
                return 1;
            }
            if (!announcedCatchUp && feeder.caughtUp()) {
                announcedCatchUp = true;
                System.out.println("local: caught up; from here windows expire live"
                        + (feeder.hasLiveTail() ? "; later batches follow in real time" : " (the whole sample is in)"));
            }
            if (!reportedFeedFailure && feeder.failed() > 0) {
                reportedFeedFailure = true;
                System.err.println("local: the feeder could not send a batch: " + feeder.firstFailure());
            }
            if (!reportedReadFailure && recorder.failure() != null) {
                reportedReadFailure = true;
                System.err.println("local: reading the output topics stopped: " + recorder.failure());
            }
            System.out.println(Report.progressLine(feeder, recorder, set.inEvaluationOrder(), settings, reported));
            lastLine = System.nanoTime();
        }
    }

    private void checkArguments() {
        CommandLine cl = spec.commandLine();
        if (durationSeconds < 0) {
            throw new CommandLine.ParameterException(cl, "--duration must be 0 (until Ctrl-C) or more seconds");
        }
        if (!(speed >= 1) || Double.isInfinite(speed)) {
            throw new CommandLine.ParameterException(cl, "--speed must be at least 1");
        }
        if (dashboardPort < 1 || dashboardPort > 65_535) {
            throw new CommandLine.ParameterException(cl, "--dashboard-port must be between 1 and 65535");
        }
        if (parallelism < 1) {
            throw new CommandLine.ParameterException(cl, "--parallelism must be at least 1");
        }
        if (kafka != null && !kafka.matches("[^\\s,]+:\\d+(,[^\\s,]+:\\d+)*")) {
            throw new CommandLine.ParameterException(cl, "--kafka must be HOST:PORT[,HOST:PORT...]");
        }
        if (overrides.containsKey(EngineConfig.BOOTSTRAP_SERVERS)) {
            throw new CommandLine.ParameterException(cl, "use --kafka HOST:PORT to run against an existing broker");
        }
    }

    /** The settings file, then what local needs (processing time, its folders), then --set. */
    private EngineConfig settings() throws CommandFailure {
        Path file = config != null ? config : java.nio.file.Files.isRegularFile(DEFAULT_CONFIG) ? DEFAULT_CONFIG : null;
        EngineConfig base;
        try {
            if (file != null) {
                Files.requireReadable(file);
            }
            base = file == null ? EngineConfig.defaults() : EngineConfig.load(file);
        } catch (EngineConfig.InvalidConfigException e) {
            throw new CommandFailure(file + ": invalid settings:" + System.lineSeparator() + "  "
                    + String.join(System.lineSeparator() + "  ", e.errors()));
        } catch (IOException e) {
            throw new CommandFailure(file + ": cannot read: " + e.getMessage(), e);
        }
        Map<String, String> local = new LinkedHashMap<>();
        local.put(EngineConfig.TIME_MODE, "processing");
        local.put(EngineConfig.PARALLELISM, Integer.toString(parallelism));
        local.put(EngineConfig.CHECKPOINT_DIR, out.resolve("checkpoints").toAbsolutePath().toUri().toString());
        if (audiences != null) {
            local.put(EngineConfig.AUDIENCES_FILE, audiences.toString());
        }
        EngineConfig withLocal = base.with(local);
        try {
            return withLocal.with(overrides);
        } catch (EngineConfig.InvalidConfigException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--set: " + String.join("; ", e.errors()));
        }
    }

    private long anchor(SampleTimeline timeline) {
        if (sampleNow == null) {
            return timeline.lastTime();
        }
        long at;
        try {
            at = sampleNow.matches("\\d+") ? Long.parseLong(sampleNow) : Instant.parse(sampleNow).toEpochMilli();
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--sample-now: '" + sampleNow + "' is not an ISO-8601 instant (2026-04-30T13:44:50Z) or epoch ms");
        }
        if (at < timeline.firstTime() || at > timeline.lastTime()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--sample-now must be within the sample, "
                    + Report.sampleTime(timeline.firstTime()) + " to " + Report.sampleTime(timeline.lastTime()));
        }
        return at;
    }

    private void requireFreePort() throws CommandFailure {
        try (ServerSocket probe = new ServerSocket(dashboardPort, 1, InetAddress.getByName("127.0.0.1"))) {
            probe.setReuseAddress(true);
        } catch (BindException e) {
            throw new CommandFailure("127.0.0.1:" + dashboardPort + " is in use (another Flink dashboard?); "
                    + "choose a free port with --dashboard-port");
        } catch (IOException e) {
            throw new CommandFailure("cannot open 127.0.0.1:" + dashboardPort + ": " + e.getMessage(), e);
        }
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof BindException) {
            return "the dashboard port is taken: " + root.getMessage() + "; choose another with --dashboard-port";
        }
        return message != null ? message.lines().findFirst().orElse(message) : root.toString();
    }
}
