package org.audienceengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The REST side of {@code bin/flink-cluster} (submit, savepoint, status), which starts and stops
 * the processes itself. Works against any Flink 2.2 session cluster's REST address.
 */
@Command(name = "cluster", hidden = true, description = "Drive a Flink session cluster through its REST API.",
        subcommands = {ClusterCommand.Submit.class, ClusterCommand.Savepoint.class, ClusterCommand.Status.class,
                ClusterCommand.AwaitTaskManagers.class})
public final class ClusterCommand {
    static final Duration TIMEOUT = Duration.ofMinutes(3);

    abstract static class OnCluster implements Callable<Integer> {
        @Option(names = "--rest", defaultValue = "http://127.0.0.1:8081", description = "The cluster's REST address.")
        String rest;

        FlinkRest cluster() {
            return new FlinkRest(rest);
        }

        @Override
        public Integer call() {
            try {
                return run(cluster());
            } catch (IOException e) {
                System.err.println("flink-cluster: " + e.getMessage());
                return 1;
            }
        }

        abstract int run(FlinkRest cluster) throws IOException;
    }

    @Command(name = "submit", description = "Upload the job jar, run it, wait until it runs; prints the job id.")
    static final class Submit extends OnCluster {
        @Option(names = "--jar", required = true)
        Path jar;

        @Option(names = {"-p", "--parallelism"}, defaultValue = "0")
        int parallelism;

        @Option(names = {"-s", "--savepoint"})
        String savepoint;

        @Parameters(description = "The job's own arguments (--config FILE, --key value ...).")
        List<String> args = new ArrayList<>();

        @Override
        int run(FlinkRest cluster) throws IOException {
            String jarId = cluster.uploadJar(jar);
            String job = cluster.run(jarId, parallelism, args, savepoint);
            String state = cluster.awaitState(job, TIMEOUT, "RUNNING", "FINISHED", "FAILED");
            if (state.equals("FAILED")) {
                System.err.println("flink-cluster: job " + job + " failed at start; see bin/flink-cluster logs");
                return 1;
            }
            System.out.println(job);
            return 0;
        }
    }

    @Command(name = "savepoint", description = "Stop the running job with a savepoint; prints its location.")
    static final class Savepoint extends OnCluster {
        @Option(names = "--job", description = "The job's id (default: the one running job).")
        String job;

        @Option(names = "--dir", description = "Where to write it (default: the cluster's savepoint directory).")
        String dir;

        @Override
        int run(FlinkRest cluster) throws IOException {
            String id = job != null ? job : cluster.runningJob()
                    .orElseThrow(() -> new FlinkRest.RestException("no job is running")).id();
            String location = cluster.stopWithSavepoint(id, dir, TIMEOUT);
            cluster.awaitState(id, TIMEOUT, "FINISHED", "CANCELED", "FAILED");
            System.out.println(location);
            return 0;
        }
    }

    @Command(name = "status", description = "TaskManagers, slots and jobs.")
    static final class Status extends OnCluster {
        @Override
        int run(FlinkRest cluster) throws IOException {
            JsonNode o = cluster.overview();
            System.out.printf("Flink %s at %s: %d TaskManager(s), %d of %d slot(s) free%n",
                    o.path("flink-version").asText(), rest, o.path("taskmanagers").asInt(),
                    o.path("slots-available").asInt(), o.path("slots-total").asInt());
            for (FlinkRest.Job job : cluster.jobs()) {
                System.out.printf("  job %s  %-10s %s%n", job.id(), job.state(), job.name());
            }
            return 0;
        }
    }

    @Command(name = "await-taskmanagers", description = "Wait until N TaskManagers have registered.")
    static final class AwaitTaskManagers extends OnCluster {
        @Parameters(index = "0")
        int count;

        @Override
        int run(FlinkRest cluster) throws IOException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            IOException last = null;
            while (System.nanoTime() < deadline) {
                try {
                    if (cluster.overview().path("taskmanagers").asInt() >= count) {
                        return 0;
                    }
                } catch (IOException e) {
                    last = e;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 1;
                }
            }
            System.err.println("flink-cluster: " + count + " TaskManager(s) did not register within "
                    + TIMEOUT.toSeconds() + "s" + (last == null ? "" : " (" + last.getMessage() + ")"));
            return 1;
        }
    }
}
