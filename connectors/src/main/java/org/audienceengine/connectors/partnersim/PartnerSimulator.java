package org.audienceengine.connectors.partnersim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for the partners the outputs deliver to (Mailchimp, Braze, webhooks): a real
 * HTTP server with the partners' auth, limits and injectable faults, which keeps the partner
 * state those calls produce and serves it as JSON. Tests, benchmarks and local runs point the
 * outputs' {@code base_url} / {@code url} at it and compare its state with the engine's.
 *
 * <p>Paths: {@code /mailchimp/3.0/lists/{list}/members/{hash}}, {@code /braze/users/track},
 * {@code /webhook/{name}}; control: {@code GET /state}, {@code POST /reset},
 * {@code GET|POST /faults}. See {@link SimulatorState} for the state document.
 */
public final class PartnerSimulator implements AutoCloseable {

    public static final String DEFAULT_MAILCHIMP_KEY = "sim-mailchimp-key";
    public static final String DEFAULT_BRAZE_KEY = "sim-braze-key";

    /**
     * Called on a partner request once it holds its concurrency slot and before faults are
     * drawn or anything is applied. Tests block here to hold requests open deterministically.
     */
    @FunctionalInterface
    public interface RequestHook {
        void admitted(String endpoint) throws InterruptedException;
    }

    /** Settings of one simulator; every setter returns {@code this}. */
    public static final class Config {
        private int port;
        private String bindAddress = "127.0.0.1";
        private String mailchimpApiKey = DEFAULT_MAILCHIMP_KEY;
        private int mailchimpMaxConcurrency = 10;
        private String brazeApiKey = DEFAULT_BRAZE_KEY;
        private int brazeRateLimit = 3_000;
        private Duration brazeRateWindow = Duration.ofSeconds(3);
        private final Map<String, String> webhookSecrets = new LinkedHashMap<>();
        private String defaultWebhookSecret;
        private String faults = "none";
        private Clock clock = Clock.systemUTC();
        private RequestHook requestHook = endpoint -> {};

        public static Config defaults() {
            return new Config();
        }

        /** 0 (the default) picks a free port. */
        public Config port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port " + port + " is out of range");
            }
            this.port = port;
            return this;
        }

        /** Loopback by default: the simulator accepts any body it is sent and should not be reachable. */
        public Config bindAddress(String bindAddress) {
            this.bindAddress = Objects.requireNonNull(bindAddress);
            return this;
        }

        public Config mailchimpApiKey(String key) {
            this.mailchimpApiKey = nonEmpty(key, "mailchimp api key");
            return this;
        }

        public Config mailchimpMaxConcurrency(int max) {
            this.mailchimpMaxConcurrency = positive(max, "mailchimp max concurrency");
            return this;
        }

        public Config brazeApiKey(String key) {
            this.brazeApiKey = nonEmpty(key, "braze api key");
            return this;
        }

        /** Braze admits {@code requests} per {@code window} per key (default 3,000 per 3 s). */
        public Config brazeRate(int requests, Duration window) {
            this.brazeRateLimit = positive(requests, "braze rate");
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("braze rate window must be positive");
            }
            this.brazeRateWindow = window;
            return this;
        }

        /** The secret of webhook {@code name}; only webhooks with a secret exist (others are 404). */
        public Config webhookSecret(String name, String secret) {
            webhookSecrets.put(nonEmpty(name, "webhook name"), nonEmpty(secret, "webhook secret"));
            return this;
        }

        /** A secret for every webhook name without its own, so any name exists. */
        public Config defaultWebhookSecret(String secret) {
            this.defaultWebhookSecret = nonEmpty(secret, "webhook secret");
            return this;
        }

        /** The faults to start with, in the {@link FaultSpec} format. */
        public Config faults(String spec) {
            FaultSpec.parse(spec);
            this.faults = spec;
            return this;
        }

        /** The clock of the Braze rate window (tests move it instead of waiting). */
        public Config clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        public Config requestHook(RequestHook hook) {
            this.requestHook = Objects.requireNonNull(hook);
            return this;
        }

        private static String nonEmpty(String s, String what) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException(what + " must not be empty");
            }
            return s;
        }

        private static int positive(int n, String what) {
            if (n <= 0) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return n;
        }
    }

    static {
        // The JDK server leaves Nagle's algorithm on unless told otherwise and sends a response
        // in more than one write: with delayed ACKs that adds ~40 ms to many small responses, which would make the simulator, not the output, the bottleneck of a benchmark.
        // The setting is read once per JVM, when the first server starts; an explicit one wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final List<SimulatedPartner> partners;
    private final Counters counters = new Counters();
    private final PartnerHandler.FaultInjector faults = new PartnerHandler.FaultInjector();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Object closeLock = new Object();

    private PartnerSimulator(Config config) throws IOException {
        faults.set(FaultSpec.parse(config.faults));
        partners = List.of(
                new MailchimpApi(config.mailchimpApiKey, config.mailchimpMaxConcurrency),
                new BrazeApi(config.brazeApiKey, config.brazeRateLimit, config.brazeRateWindow.toMillis(), config.clock),
                new WebhookApi(config.webhookSecrets, config.defaultWebhookSecret, counters));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(config.bindAddress), config.port), 1024);
        AtomicInteger threadNo = new AtomicInteger();
        // Unbounded on purpose: every request gets a thread, so the partners' own limits, not the
        // pool, are what a client runs into.
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "partner-sim-" + threadNo.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        for (SimulatedPartner p : partners) {
            server.createContext(p.contextPath(), new PartnerHandler(p, counters, faults, config.requestHook, closing));
        }
        server.createContext("/state", this::serveState);
        server.createContext("/reset", this::serveReset);
        server.createContext("/faults", this::serveFaults);
        server.start();
    }

    /** Starts a simulator; close it to free its port and threads. */
    public static PartnerSimulator start(Config config) {
        try {
            return new PartnerSimulator(config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the partner simulator on "
                    + config.bindAddress + ":" + config.port, e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://host:port}, without a trailing slash. */
    public String baseUrl() {
        String host = server.getAddress().getAddress().getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    /** The {@code base_url} of a {@code mailchimp} connection. */
    public String mailchimpBaseUrl() {
        return baseUrl() + "/mailchimp/3.0";
    }

    /** The {@code base_url} of a {@code braze} connection. */
    public String brazeBaseUrl() {
        return baseUrl() + "/braze";
    }

    /** The {@code url} of a {@code webhook} connection. */
    public String webhookUrl(String name) {
        return baseUrl() + "/webhook/" + name;
    }

    /** A snapshot of partner state and counters (each partner's part is consistent in itself). */
    public SimulatorState state() {
        ObjectNode root = Exchanges.JSON.createObjectNode();
        partners.forEach(p -> p.writeState(root));
        counters.writeTo(root.putObject("counters"));
        root.set("faults", faultsJson());
        return new SimulatorState(root);
    }

    /** Replaces the faults; the seeded sequence starts over. */
    public void setFaults(String spec) {
        faults.set(FaultSpec.parse(spec));
    }

    public FaultSpec faults() {
        return faults.spec();
    }

    /** Forgets partner state and counters; faults stay as set, requests in flight finish normally. */
    public void reset() {
        partners.forEach(SimulatedPartner::clear);
        counters.clear();
    }

    /** Stops serving; requests held by a timeout fault are cut off without a response. */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closing.getCount() == 0) {
                return;
            }
            closing.countDown();
        }
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ObjectNode faultsJson() {
        FaultSpec spec = faults.spec();
        ObjectNode node = Exchanges.JSON.createObjectNode();
        node.put("spec", spec.toString());
        spec.describe().forEach((k, v) -> node.set(k, Exchanges.JSON.valueToTree(v)));
        return node;
    }

    private void serveState(HttpExchange ex) throws IOException {
        control(ex, "GET", () -> state().json());
    }

    private void serveReset(HttpExchange ex) throws IOException {
        control(ex, "POST", () -> {
            reset();
            return Exchanges.JSON.createObjectNode().put("status", "reset");
        });
    }

    /** GET reads the faults; POST sets them from a body in the command-line format. */
    private void serveFaults(HttpExchange ex) throws IOException {
        if (!"POST".equals(ex.getRequestMethod())) {
            control(ex, "GET", this::faultsJson);
            return;
        }
        control(ex, "POST", () -> {
            try {
                setFaults(Exchanges.bodyText(ex));
            } catch (IllegalArgumentException | Exchanges.BadRequest e) {
                throw new ControlError(e.getMessage());
            }
            return faultsJson();
        });
    }

    private interface ControlAction {
        JsonNode run() throws IOException, ControlError;
    }

    /** A control request that cannot be carried out: answered 400 with its message. */
    private static final class ControlError extends Exception {
        ControlError(String message) {
            super(message);
        }
    }

    private static void control(HttpExchange ex, String method, ControlAction action) throws IOException {
        try (ex) {
            String path = Exchanges.pathBelow(ex, ex.getHttpContext().getPath());
            if (path == null || !path.isEmpty()) {
                Exchanges.sendJson(ex, 404, Exchanges.JSON.createObjectNode().put("error", "not found"));
            } else if (!method.equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", method);
                Exchanges.sendJson(ex, 405, Exchanges.JSON.createObjectNode().put("error", "use " + method));
            } else {
                JsonNode result;
                try {
                    result = action.run();
                } catch (ControlError e) {
                    Exchanges.sendJson(ex, 400, Exchanges.JSON.createObjectNode().put("error", e.getMessage()));
                    return;
                }
                Exchanges.sendJson(ex, 200, result);
            }
        }
    }

    /** Runs the simulator from the command line until the JVM is stopped. */
    public static void main(String[] args) {
        int exit = run(args, System.out, System.err);
        if (exit != 0) {
            System.exit(exit);
        }
    }

    /**
     * The command line without {@code System.exit}, for a launcher that embeds it: returns 2 on
     * bad arguments, 0 after {@code --help}; otherwise serves until the JVM shuts down.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return SimulatorCommandLine.run(args, out, err);
    }

    /** Blocks until {@link #close()} is called (from a shutdown hook, say). */
    void awaitClose() throws InterruptedException {
        closing.await();
    }
}
