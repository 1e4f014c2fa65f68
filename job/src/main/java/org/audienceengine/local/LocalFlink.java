package org.audienceengine.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.audienceengine.config.EngineConfig;
import org.audienceengine.live.LiveJob;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * The live job on an embedded Flink mini cluster that serves the web dashboard (and its REST
 * API) on 127.0.0.1. The cluster lives as long as the job: stopping the job shuts it down.
 */
public final class LocalFlink {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String HOST = "127.0.0.1";

    private final JobClient job;
    private final int dashboardPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private volatile boolean stopRequested;
    private java.util.Map<String, Object> accumulators = java.util.Map.of();

    private LocalFlink(JobClient job, int dashboardPort) {
        this.job = job;
        this.dashboardPort = dashboardPort;
    }

    /** Builds the live job on a mini cluster with the dashboard on {@code dashboardPort} and submits it. */
    /** @param connectionsJson partner connections to deliver to, or null for none */
    public static LocalFlink submit(EngineConfig config, String definitionsJson, String connectionsJson,
            int dashboardPort, String jobName) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(
                clusterConfiguration(dashboardPort));
        LiveJob.build(env, config, definitionsJson, LiveJob.Options.unbounded().withConnections(connectionsJson));
        return new LocalFlink(env.executeAsync(jobName), dashboardPort);
    }

    static final String PROMETHEUS_REPORTER = "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";
    static final String PROMETHEUS_PORTS = "9249-9259";

    static Configuration clusterConfiguration(int dashboardPort) {
        Configuration conf = new Configuration();
        // Loopback only: the dashboard can cancel jobs, and nothing here asks for a password.
        conf.set(RestOptions.BIND_ADDRESS, HOST);
        conf.set(RestOptions.ADDRESS, HOST);
        conf.set(RestOptions.PORT, dashboardPort);
        // A few restarts show recovery from checkpoints on the dashboard; a job that keeps
        // failing ends the run with its error instead of restarting forever (the default with
        // checkpoints on).
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(2));
        // The same Prometheus endpoint as conf/flink/config.yaml: the first free port from 9249.
        conf.setString("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER);
        conf.setString("metrics.reporter.prom.port", PROMETHEUS_PORTS);
        return conf;
    }

    public String dashboardUrl() {
        return "http://" + HOST + ":" + dashboardPort + "/";
    }

    public String jobId() {
        return job.getJobID().toString();
    }

    /**
     * Waits until every task of the job runs (the dashboard's own view, {@code /jobs/<id>}), so
     * that what is fed next is read at once rather than after the tasks' start-up.
     */
    public void awaitRunning(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            JobStatus status = status();
            if (status != null && status.isGloballyTerminalState()) {
                throw new IOException("the job ended while starting: " + failureMessage());
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(dashboardUrl() + "jobs/" + jobId())).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode body = MAPPER.readTree(response.body());
                    if (allTasksRunning(body)) {
                        return;
                    }
                    last = "job " + body.path("state").asText();
                } else {
                    last = "HTTP " + response.statusCode();
                }
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the job to run", e);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        }
        throw new IOException("the job's tasks did not all run within " + timeout.toSeconds() + "s (" + last + ")");
    }

    private static boolean allTasksRunning(JsonNode job) {
        JsonNode vertices = job.path("vertices");
        if (!"RUNNING".equals(job.path("state").asText()) || !vertices.isArray() || vertices.isEmpty()) {
            return false;
        }
        for (JsonNode v : vertices) {
            if (!"RUNNING".equals(v.path("status").asText())) {
                return false;
            }
        }
        return true;
    }

    /** The job's status, or null when the cluster does not answer. */
    public JobStatus status() {
        try {
            return job.getJobStatus().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** The job ended without being asked to. */
    public boolean endedOnItsOwn() {
        return !stopRequested && job.getJobExecutionResult().isDone();
    }

    /** Why the job ended, as one line. */
    public String failureMessage() {
        try {
            job.getJobExecutionResult().get(1, TimeUnit.SECONDS);
            return "finished";
        } catch (ExecutionException e) {
            return rootMessage(e);
        } catch (TimeoutException e) {
            return "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Stops the job with a final savepoint, which commits the output of the last checkpoint
     * interval (the exactly-once sinks commit on checkpoints; a plain cancel would abort it), or
     * cancels it if that does not succeed in time. Returns the savepoint's path, or null.
     */
    public String stop(Path savepointDir, Duration timeout) {
        stopRequested = true;
        if (job.getJobExecutionResult().isDone()) {
            return null;
        }
        String savepoint = null;
        try {
            savepoint = job.stopWithSavepoint(false, savepointDir.toAbsolutePath().toUri().toString(),
                    SavepointFormatType.DEFAULT).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException ignored) {
                // Already ending; waiting for the result below is all that is left.
            }
        }
        try {
            accumulators = job.getJobExecutionResult().get(30, TimeUnit.SECONDS).getAllAccumulatorResults();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // A cancelled job's result is a failure; the job is over either way.
        }
        return savepoint;
    }

    /** The accumulators of the stopped job (empty if it did not end cleanly). */
    public java.util.Map<String, Object> accumulators() {
        return accumulators;
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return root.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines().findFirst().orElse(""));
    }
}
