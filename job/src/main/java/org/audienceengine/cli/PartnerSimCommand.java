package org.audienceengine.cli;

import org.audienceengine.connectors.partnersim.PartnerSimulator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code partner-sim [--port P] [--faults SPEC] …}: the partner simulator on its own. Its flags
 * are the simulator's own (see {@code PartnerSimulator}); it prints its usage and exits 2 on bad
 * ones, and runs until stopped.
 */
@Command(name = "partner-sim", mixinStandardHelpOptions = true, description = "Run the partner simulator (Mailchimp, Braze and webhook endpoints).")
final class PartnerSimCommand implements Callable<Integer> {
    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        return PartnerSimulator.run(args.toArray(String[]::new), System.out, System.err);
    }
}
