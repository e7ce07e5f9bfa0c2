/**
 * The {@code dpsgd4j} command line (picocli): accounting queries ({@code epsilon}, {@code delta},
 * {@code noise}), the {@code demo}, {@code train} and {@code sweep} commands. Each subcommand is
 * one class; {@link io.github.dpsgd4j.examples.cli.Dpsgd4jCommand#execute} runs them and turns bad
 * input into a non-zero exit with one line on standard error. With {@code --json}, the last line of
 * standard output is one JSON object; progress bars go to standard error.
 */
package io.github.dpsgd4j.examples.cli;
