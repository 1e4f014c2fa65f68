package org.audienceengine.connectors.partnersim;

import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * The simulator's few flags, parsed by hand: the connectors module stays free of a CLI library,
 * since the engine's launcher only needs to hand the arguments through.
 */
final class SimulatorCommandLine {

    static final String USAGE = String.join("\n",
            "usage: partner-sim [--port P] [--bind ADDR] [--faults SPEC]",
            "                   [--mailchimp-key K] [--mailchimp-max-concurrency N]",
            "                   [--braze-key K] [--braze-rate N] [--braze-rate-window-ms MS]",
            "                   [--webhook-secret NAME=SECRET]... [--webhook-default-secret SECRET]",
            "  --port P                 port to listen on; 0 (default) picks a free one",
            "  --bind ADDR              address to bind (default 127.0.0.1)",
            "  --faults SPEC            e.g. 5xx=0.10,429=0.05,timeout=0.02,drop=0.01,auth=0,seed=42,slow_ms=15000",
            "  --mailchimp-key K        expected Mailchimp API key (default " + PartnerSimulator.DEFAULT_MAILCHIMP_KEY + ")",
            "  --mailchimp-max-concurrency N  simultaneous requests per key before 429 (default 10)",
            "  --braze-key K            expected Braze REST API key (default " + PartnerSimulator.DEFAULT_BRAZE_KEY + ")",
            "  --braze-rate N           Braze requests per window per key (default 3000)",
            "  --braze-rate-window-ms MS  the Braze rate window (default 3000)",
            "  --webhook-secret NAME=SECRET  HMAC secret of webhook NAME (repeatable)",
            "  --webhook-default-secret SECRET  secret of every webhook name without its own",
            "                           (without it, only named webhooks exist)");

    private final PartnerSimulator.Config config;
    private final boolean help;

    private SimulatorCommandLine(PartnerSimulator.Config config, boolean help) {
        this.config = config;
        this.help = help;
    }

    PartnerSimulator.Config config() {
        return config;
    }

    boolean help() {
        return help;
    }

    /** Accepts {@code --flag value} and {@code --flag=value}; throws on anything else. */
    static SimulatorCommandLine parse(String[] args) {
        PartnerSimulator.Config config = PartnerSimulator.Config.defaults();
        int brazeRate = 3_000;
        long brazeWindowMs = 3_000;
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                help = true;
                continue;
            }
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'");
            }
            String flag = arg;
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            switch (flag) {
                case "--port" -> config.port(integer(flag, value));
                case "--bind" -> config.bindAddress(value);
                case "--faults" -> config.faults(value);
                case "--mailchimp-key" -> config.mailchimpApiKey(value);
                case "--mailchimp-max-concurrency" -> config.mailchimpMaxConcurrency(integer(flag, value));
                case "--braze-key" -> config.brazeApiKey(value);
                case "--braze-rate" -> brazeRate = integer(flag, value);
                case "--braze-rate-window-ms" -> brazeWindowMs = integer(flag, value);
                case "--webhook-secret" -> {
                    int sep = value.indexOf('=');
                    if (sep <= 0) {
                        throw new IllegalArgumentException("--webhook-secret needs NAME=SECRET");
                    }
                    config.webhookSecret(value.substring(0, sep), value.substring(sep + 1));
                }
                case "--webhook-default-secret" -> config.defaultWebhookSecret(value);
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        config.brazeRate(brazeRate, Duration.ofMillis(brazeWindowMs));
        return new SimulatorCommandLine(config, help);
    }

    /** See {@link PartnerSimulator#run}. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        SimulatorCommandLine cli;
        try {
            cli = parse(args);
        } catch (IllegalArgumentException e) {
            err.println("partner-sim: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        if (cli.help) {
            out.println(USAGE);
            return 0;
        }
        PartnerSimulator sim;
        try {
            sim = PartnerSimulator.start(cli.config);
        } catch (UncheckedIOException e) {
            err.println("partner-sim: " + e.getMessage() + ": " + e.getCause().getMessage());
            return 1;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(sim::close, "partner-sim-shutdown"));
        out.println("partner simulator listening on " + sim.baseUrl()
                + " (mailchimp " + sim.mailchimpBaseUrl() + ", braze " + sim.brazeBaseUrl()
                + ", webhooks " + sim.baseUrl() + "/webhook/{name}, state " + sim.baseUrl() + "/state)");
        out.println("faults: " + sim.faults());
        out.flush();
        try {
            sim.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            sim.close();
        }
        return 0;
    }

    private static int integer(String flag, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs an integer, not '" + value + "'");
        }
    }
}
