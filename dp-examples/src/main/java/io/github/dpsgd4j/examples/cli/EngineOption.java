package io.github.dpsgd4j.examples.cli;

import java.util.Locale;

/**
 * {@code train --engine local|spark [--spark-master URL]}: which backend runs the private steps.
 * {@code local} (default) is the single-machine trainer; {@code spark} runs dp-spark's trainer with an
 * embedded Spark driver on the given master (default {@code local[2]}). Both engines write and resume the
 * same checkpoints ({@code --checkpoint}, {@code --resume}).
 */
final class EngineOption {

    /** The master used when --engine spark is given without --spark-master. */
    static final String DEFAULT_MASTER = "local[2]";

    private EngineOption() {
    }

    /**
     * Whether the run uses Spark; checks the combination of options before anything is loaded or spent.
     *
     * @throws IllegalArgumentException naming the option, the value and what to do
     */
    static boolean spark(String engine, String sparkMaster) {
        String name = engine == null ? "local" : engine.trim().toLowerCase(Locale.ROOT);
        if (!name.equals("local") && !name.equals("spark")) {
            throw new IllegalArgumentException("--engine must be local or spark, got '" + engine + "'");
        }
        boolean spark = name.equals("spark");
        if (!spark && sparkMaster != null) {
            throw new IllegalArgumentException("--spark-master needs --engine spark");
        }
        return spark;
    }

    /** The master URL to use. */
    static String master(String sparkMaster) {
        return sparkMaster == null ? DEFAULT_MASTER : sparkMaster;
    }
}
