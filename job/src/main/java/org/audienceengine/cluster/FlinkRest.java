package org.audienceengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The few calls of Flink's REST API that running the engine on a session cluster needs: upload
 * and run the job jar, find the running job, stop it with a savepoint. What the web dashboard
 * itself calls, so a cluster started by {@code bin/flink-cluster} and one run by a platform team
 * are driven the same way.
 */
public final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRest(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    }

    /** A call the cluster refused or could not answer, with the cluster's own error text. */
    public static final class RestException extends IOException {
        private static final long serialVersionUID = 1L;

        RestException(String message) {
            super(message);
        }
    }

    /** A job as {@code /jobs/overview} lists it. */
    public record Job(String id, String name, String state) {}

    public JsonNode get(String path) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    public JsonNode overview() throws IOException {
        return get("overview");
    }

    public List<Job> jobs() throws IOException {
        List<Job> jobs = new ArrayList<>();
        for (JsonNode job : get("jobs/overview").path("jobs")) {
            jobs.add(new Job(job.path("jid").asText(), job.path("name").asText(), job.path("state").asText()));
        }
        return jobs;
    }

    /** The one job that is not finished, failed or cancelled, if any. */
    public Optional<Job> runningJob() throws IOException {
        List<Job> live = jobs().stream()
                .filter(j -> !List.of("FINISHED", "FAILED", "CANCELED").contains(j.state()))
                .toList();
        if (live.size() > 1) {
            throw new RestException("the cluster runs " + live.size() + " jobs; name one with --job");
        }
        return live.stream().findFirst();
    }

    public String jobState(String jobId) throws IOException {
        return get("jobs/" + jobId).path("state").asText();
    }

    /** Cancels a job (its retained checkpoints stay, to resume from). */
    public void cancel(String jobId) throws IOException {
        send(HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /** Uploads a jar; returns its id on the cluster. */
    public String uploadJar(Path jar) throws IOException {
        String boundary = "----audience-engine-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode reply = send(HttpRequest.newBuilder(base.resolve("jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        String file = reply.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** Runs an uploaded jar; returns the job id. {@code savepoint} null starts afresh. */
    public String run(String jarId, int parallelism, List<String> args, String savepoint) throws IOException {
        ObjectNode request = JSON.createObjectNode();
        if (parallelism > 0) {
            request.put("parallelism", parallelism);
        }
        request.putArray("programArgsList").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (savepoint != null) {
            request.put("savepointPath", savepoint);
        }
        return post("jars/" + jarId + "/run", request).path("jobid").asText();
    }

    /**
     * Stops a job with a savepoint (its sources stop first, so nothing is read after it) and
     * returns the savepoint's location once it is complete.
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout) throws IOException {
        ObjectNode request = JSON.createObjectNode();
        if (targetDirectory != null) {
            request.put("targetDirectory", targetDirectory);
        }
        request.put("drain", false);
        String trigger = post("jobs/" + jobId + "/stop", request).path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("jobs/" + jobId + "/savepoints/" + trigger);
            if (status.path("status").path("id").asText().equals("COMPLETED")) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new RestException("the savepoint failed: "
                            + operation.path("failure-cause").path("stack-trace").asText().lines().findFirst().orElse(""));
                }
                return operation.path("location").asText();
            }
            pause();
        }
        throw new RestException("the savepoint of job " + jobId + " did not complete within " + timeout.toSeconds() + "s");
    }

    /** Waits until the job is in one of {@code states}; returns the state it is in. */
    public String awaitState(String jobId, Duration timeout, String... states) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = "";
        while (System.nanoTime() < deadline) {
            state = jobState(jobId);
            if (List.of(states).contains(state)) {
                return state;
            }
            pause();
        }
        throw new RestException("job " + jobId + " is " + state + ", not " + String.join(" or ", states)
                + ", after " + timeout.toSeconds() + "s");
    }

    private JsonNode post(String path, JsonNode body) throws IOException {
        return send(HttpRequest.newBuilder(base.resolve(path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request.timeout(CALL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new RestException("no Flink cluster answers at " + base + " (" + e + ")");
        }
        JsonNode reply = response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
        if (response.statusCode() >= 300) {
            throw new RestException("Flink at " + base + " refused " + response.request().uri().getPath() + " ("
                    + response.statusCode() + "): " + firstError(reply));
        }
        return reply;
    }

    /**
     * The cluster's reason, not its stack trace: the innermost cause with the lines that continue
     * its message (a job's main method may explain itself over several lines).
     */
    static String firstError(JsonNode reply) {
        List<String> lines = new ArrayList<>();
        for (JsonNode error : reply.path("errors")) {
            error.asText().lines().filter(l -> !l.isBlank()).forEach(lines::add);
        }
        if (lines.isEmpty()) {
            return reply.toString();
        }
        int cause = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("Caused by:")) {
                cause = i;
            }
        }
        StringBuilder message = new StringBuilder(lines.get(cause).replaceFirst("^Caused by: ", "")
                .replaceFirst("^[\\w.$]+(Exception|Error): ", ""));
        for (int i = cause + 1; i < lines.size() && !lines.get(i).strip().startsWith("at "); i++) {
            message.append(System.lineSeparator()).append(lines.get(i));
        }
        return message.toString();
    }

    private static void pause() throws IOException {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
