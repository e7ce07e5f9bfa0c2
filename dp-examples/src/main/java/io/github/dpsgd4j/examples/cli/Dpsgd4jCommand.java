package io.github.dpsgd4j.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code dpsgd4j} command line. Each subcommand lives in its own class; this one only wires
 * them together and fixes how errors are reported: bad input exits non-zero with one line on
 * standard error, and nothing else.
 */
@Command(name = "dpsgd4j",
        mixinStandardHelpOptions = true,
        versionProvider = Dpsgd4jCommand.Version.class,
        description = "Differentially private training for Deeplearning4j, with exact privacy accounting.",
        subcommands = {
                CommandLine.HelpCommand.class,
                EpsilonCommand.class,
                DeltaCommand.class,
                NoiseCommand.class,
                AuditCommand.class,
        })
public final class Dpsgd4jCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }

    /**
     * Runs the command line with the given output streams and returns the exit code: 0 on
     * success, 2 for invalid arguments, 1 for any other failure.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Dpsgd4jCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, arguments) -> {
            err.println(qualified(ex.getCommandLine()) + ": " + oneLine(ex.getMessage()));
            err.flush();
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            int code = ex instanceof IllegalArgumentException ? 2 : 1;
            err.println(qualified(commandLine) + ": " + oneLine(describe(ex)));
            err.flush();
            return code;
        });
        return cli.execute(args);
    }

    private static String qualified(CommandLine commandLine) {
        return commandLine.getCommandSpec().qualifiedName();
    }

    private static String describe(Throwable ex) {
        String message = ex.getMessage();
        return message == null || message.isBlank() ? ex.getClass().getSimpleName() : message;
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** Reports the version recorded in the jar manifest, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Dpsgd4jCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dpsgd4j " + (v == null ? "(development build)" : v)};
        }
    }
}
