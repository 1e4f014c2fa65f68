package org.audienceengine.bench;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.JobClient;

import org.audienceengine.cluster.FlinkRest;

import java.io.IOException;
import java.net.ServerSocket;

/**
 * The checkpoints of a benchmark's job, from the local cluster's REST API (the figures the
 * dashboard's Checkpoints tab shows): read every second while the job runs, as the local cluster
 * and its figures go when the job ends.
 */
final class CheckpointStats implements AutoCloseable {
    private final Thread poller;
    private volatile JsonNode latest;
    private volatile boolean open = true;

    private CheckpointStats(String restUrl, JobClient job) {
        FlinkRest rest = new FlinkRest(restUrl);
        String path = "/jobs/" + job.getJobID() + "/checkpoints";
        poller = new Thread(() -> {
            while (open) {
                try {
                    JsonNode stats = rest.get(path);
                    if (stats.path("counts").path("completed").asInt() > 0) {
                        latest = stats;
                    }
                    Thread.sleep(1_000);
                } catch (IOException e) {
                    // The job is finishing and its REST endpoint going; keep the last figures.
                    return;
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "checkpoint-stats");
        poller.setDaemon(true);
        poller.start();
    }

    /** Gives the local cluster a REST port; returns its base URL. */
    static String enableRest(Configuration cluster) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        cluster.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        cluster.set(RestOptions.ADDRESS, "127.0.0.1");
        cluster.set(RestOptions.PORT, port);
        return "http://127.0.0.1:" + port;
    }

    static CheckpointStats follow(String restUrl, JobClient job) {
        return new CheckpointStats(restUrl, job);
    }

    /** "n completed, duration p50 / max ms, checkpointed p50 / full state size" of the last poll. */
    String summary() {
        JsonNode s = latest;
        if (s == null) {
            return "no checkpoint completed";
        }
        JsonNode summary = s.path("summary");
        return String.format("%d completed, duration p50 %d ms / max %d ms, checkpointed p50 %s, full state %s",
                s.path("counts").path("completed").asInt(), summary.path("end_to_end_duration").path("p50").asLong(),
                summary.path("end_to_end_duration").path("max").asLong(),
                bytes(summary.path("checkpointed_size").path("p50").asLong()),
                bytes(s.path("latest").path("completed").path("state_size").asLong()));
    }

    private static String bytes(long n) {
        return n >= 1 << 20 ? String.format("%.1f MiB", n / 1048576.0) : String.format("%.1f KiB", n / 1024.0);
    }

    @Override
    public void close() throws InterruptedException {
        open = false;
        poller.interrupt();
        poller.join();
    }
}
