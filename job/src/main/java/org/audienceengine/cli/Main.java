package org.audienceengine.cli;

import org.audienceengine.cluster.ClusterCommand;

import java.util.ServiceLoader;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/audience-engine}: one launcher for every command of cli.md. */
@Command(
        name = "audience-engine",
        mixinStandardHelpOptions = true,
        version = "audience-engine 0.1.0",
        description = "Real-time audiences on Apache Flink.",
        subcommands = {LocalCommand.class, ReplayCommand.class, ValidateCommand.class, PartnerSimCommand.class, RedriveCommand.class,
                ResumeCommand.class, PublishCommand.class, KafkaCommand.class, FeedCommand.class, ClusterCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line and returns its exit code (2 for bad arguments, as picocli does). */
    public static int run(String... args) {
        CommandLine line = new CommandLine(new Main());
        for (CommandProvider provider : ServiceLoader.load(CommandProvider.class)) {
            provider.commands().forEach(line::addSubcommand);
        }
        // A usage error is one line and where to look, not the whole usage.
        line.setParameterExceptionHandler((e, arguments) -> {
            CommandLine command = e.getCommandLine();
            command.getErr().println("audience-engine: " + e.getMessage());
            command.getErr().println("see: " + command.getCommandSpec().qualifiedName() + " --help");
            return 2;
        });
        return line.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
