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
                DemoCommand.class,
                TrainCommand.class,
                SweepCommand.class,
                AuditCommand.class,
                ServeCommand.class,
                CardCommand.class,
        })
public final class Dpsgd4jCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** Whether standard error is a terminal (progress bars are then redrawn in place). */
    private final boolean interactive;

    private Dpsgd4jCommand(boolean interactive) {
        this.interactive = interactive;
    }

    /** Whether progress bars may redraw a terminal line (false: they write whole lines). */
    boolean interactive() {
        return interactive;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static void main(String[] args) {
        System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                System.console() != null, args));
    }

    /**
     * Runs the command line with the given output streams and returns the exit code: 0 on
     * success, 2 for invalid arguments, 1 for any other failure.
     */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return execute(out, err, false, args);
    }

    /**
     * As {@link #execute(PrintWriter, PrintWriter, String...)}; {@code interactive} says whether
     * {@code err} is a terminal, where progress bars redraw one line instead of writing lines.
     */
    static int execute(PrintWriter out, PrintWriter err, boolean interactive, String... args) {
        return commandLine(out, err, interactive).execute(args);
    }

    /** The configured command line (converters, error handlers) writing to {@code out} and {@code err}. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, boolean interactive) {
        CommandLine cli = new CommandLine(new Dpsgd4jCommand(interactive));
        cli.registerConverter(Double.class, new DoubleConverter());
        cli.registerConverter(Double.TYPE, new DoubleConverter());
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
        return cli;
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
