package io.github.dpsgd4j.spark;

import java.util.function.Supplier;

/**
 * Spark reports an executor's exception as a {@code SparkException} whose message embeds the task's
 * stack trace. The library's own checks on executors throw {@link IllegalArgumentException} with a
 * message that names the value and the fix: this rethrows that one on the driver, unchanged.
 */
final class SparkErrors {

    private SparkErrors() {
    }

    /**
     * Runs a Spark action; an executor's IllegalArgumentException is rethrown as such, another failure as
     * an {@link IllegalStateException} whose cause is Spark's exception.
     */
    static <T> T unwrap(Supplier<T> action) {
        try {
            return action.get();
        } catch (Exception e) { // SparkException is checked but thrown undeclared through Scala
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof IllegalArgumentException bad) {
                    throw new IllegalArgumentException(bad.getMessage(), e);
                }
            }
            String marker = IllegalArgumentException.class.getName() + ": ";
            String text = e.getMessage() == null ? "" : e.getMessage();
            int at = text.indexOf(marker);
            if (at >= 0) { // the executor's exception was not shipped as a cause: its message is in the text
                int end = text.indexOf('\n', at);
                throw new IllegalArgumentException(text.substring(at + marker.length(), end < 0 ? text.length() : end), e);
            }
            throw e instanceof RuntimeException r ? r : new IllegalStateException("the Spark job failed: "
                    + e.getMessage(), e);
        }
    }
}
