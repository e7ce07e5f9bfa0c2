package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Progress bars (me.tongfei:progressbar) on standard error, so that standard output stays clean
 * for {@code --json}. On a terminal the bar is redrawn in place; otherwise (a log file, a pipe, a
 * test) a line is written whenever the bar's message changes (every epoch), at most every
 * {@value #QUIET_INTERVAL_SECONDS} seconds otherwise, and when the bar finishes.
 *
 * <p>Used from the training thread; the bar's own refresh thread only renders.
 */
final class ProgressDisplay implements TrainingMonitor {

    private static final int QUIET_INTERVAL_SECONDS = 30;

    private final PrintWriter err;
    private final boolean interactive;
    private final int width;
    private ProgressBar bar;

    ProgressDisplay(PrintWriter err, boolean interactive) {
        this.err = err;
        this.interactive = interactive;
        this.width = terminalWidth();
    }

    /** A bar over {@code total} images for the feature computation; close it with {@link #close()}. */
    IntConsumer features(String task, long total) {
        open(task, total, 0, " images");
        ProgressBar current = bar;
        return n -> current.stepBy(n);
    }

    /** A bar over {@code total} units of {@code unit} (e.g. " models"); advance it with {@link #stepDone()}. */
    void counter(String task, long total, String unit) {
        open(task, total, 0, unit);
    }

    @Override
    public void runStarted(String name, long totalSteps, long stepsDone) {
        open(name, totalSteps, stepsDone, " steps");
    }

    @Override
    public void stepDone() {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void epochDone(EpochRecord record, int totalEpochs) {
        if (bar != null) {
            bar.setExtraMessage(epochMessage(record, totalEpochs));
        }
    }

    @Override
    public void runFinished() {
        close();
    }

    /** Finishes the current bar, if any, and writes one status line. */
    void message(String line) {
        close();
        err.println(line);
        err.flush();
    }

    /** Finishes the current bar, if any. */
    void close() {
        if (bar != null) {
            bar.close();
            bar = null;
            err.flush();
        }
    }

    static String epochMessage(EpochRecord record, int totalEpochs) {
        String epsilon = Double.isFinite(record.epsilon())
                ? String.format(Locale.ROOT, "eps %.2f", record.epsilon()) : "eps inf";
        return String.format(Locale.ROOT, "epoch %d/%d acc %.1f%% %s", record.epoch(), totalEpochs,
                100 * record.testAccuracy(), epsilon);
    }

    private void open(String task, long total, long done, String unit) {
        close();
        Consumer<String> sink = interactive ? new Redraw() : new Lines();
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total)
                .startsFrom(done, java.time.Duration.ZERO)
                .setStyle(interactive ? ProgressBarStyle.UNICODE_BLOCK : ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(interactive ? 200 : 1000)
                .setConsumer(new DelegatingProgressBarConsumer(sink, width) {
                    @Override
                    public void close() {
                        sink.accept(null);
                    }
                })
                .setUnit(unit, 1)
                .build();
    }

    /** Redraws one terminal line; a null line ends it. */
    private final class Redraw implements Consumer<String> {
        @Override
        public synchronized void accept(String line) {
            if (line == null) {
                err.println();
                err.flush();
                return;
            }
            err.print('\r' + line);
            err.flush();
        }
    }

    /** Writes whole lines, when the message changed or at a quiet interval; a null line ends. */
    private final class Lines implements Consumer<String> {
        private String lastMessage = "";
        private String last;
        private String lastWritten;
        private long lastWrittenNanos = System.nanoTime();

        @Override
        public synchronized void accept(String line) {
            if (line == null) {
                if (last != null && !last.equals(lastWritten)) {
                    write(last);
                }
                return;
            }
            last = line;
            ProgressBar current = bar;
            String message = current == null ? lastMessage : current.getExtraMessage();
            long now = System.nanoTime();
            if (!message.equals(lastMessage) || now - lastWrittenNanos > QUIET_INTERVAL_SECONDS * 1_000_000_000L) {
                lastMessage = message;
                write(line);
            }
        }

        private void write(String line) {
            lastWritten = line;
            lastWrittenNanos = System.nanoTime();
            err.println(line.strip());
            err.flush();
        }
    }

    private static int terminalWidth() {
        String columns = System.getenv("COLUMNS");
        if (columns != null) {
            try {
                int value = Integer.parseInt(columns.trim());
                if (value >= 40) {
                    return value - 1;
                }
            } catch (NumberFormatException e) {
                // fall through to the default
            }
        }
        return 120;
    }
}
