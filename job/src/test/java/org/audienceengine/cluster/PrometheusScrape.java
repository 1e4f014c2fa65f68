package org.audienceengine.cluster;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the engine's metrics the way Prometheus does: from every reporter port that answers. */
final class PrometheusScrape {
    /** conf/flink/config.yaml's metrics.reporter.prom.port. */
    static final int FIRST_PORT = 9249;
    static final int LAST_PORT = 9259;
    private static final Pattern SIZE = Pattern.compile(
            "^flink_taskmanager_job_task_operator_audience_size\\{([^}]*)\\} ([0-9.eE+-]+)$", Pattern.MULTILINE);
    private static final Pattern AUDIENCE = Pattern.compile("audience=\"(\\d+)\"");

    private PrometheusScrape() {}

    /**
     * Audience id → members of one job, summed over its subtasks; audiences without members left
     * out. Other processes on this machine may report on the same ports: only the job counts.
     */
    static Map<String, Long> audienceSizes(String jobId) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Map<String, Long> sizes = new TreeMap<>();
        for (int port = FIRST_PORT; port <= LAST_PORT; port++) {
            String body;
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (IOException e) {
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return sizes;
            }
            Matcher m = SIZE.matcher(body);
            while (m.find()) {
                Matcher audience = AUDIENCE.matcher(m.group(1));
                if (m.group(1).contains("job_id=\"" + jobId + "\"") && audience.find()) {
                    sizes.merge(audience.group(1), (long) Double.parseDouble(m.group(2)), Long::sum);
                }
            }
        }
        sizes.values().removeIf(n -> n == 0);
        return sizes;
    }
}
