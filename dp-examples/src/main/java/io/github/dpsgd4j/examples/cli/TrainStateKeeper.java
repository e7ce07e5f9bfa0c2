package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.examples.training.EpochRecord;
import io.github.dpsgd4j.examples.training.TrainingMonitor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Forwards progress to the display and keeps the resume state beside the checkpoints. */
final class TrainStateKeeper implements TrainingMonitor {
    private final ProgressDisplay display;
    private final Path directory;
    private final List<EpochRecord> history;
    private TrainState state;

    TrainStateKeeper(ProgressDisplay display, TrainState state, Path directory) {
        this.display = display;
        this.state = state;
        this.directory = directory;
        this.history = new ArrayList<>(state.history());
    }

    @Override
    public void runStarted(String name, long totalSteps, long stepsDone) {
        display.runStarted(name, totalSteps, stepsDone);
    }

    @Override
    public void stepDone() {
        display.stepDone();
    }

    @Override
    public void epochDone(EpochRecord record, int totalEpochs) {
        display.epochDone(record, totalEpochs);
        if (directory != null) {
            history.removeIf(e -> e.epoch() >= record.epoch());
            history.add(record);
            state = state.withHistory(history);
            try {
                state.write(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + directory.resolve(TrainState.FILE_NAME), e);
            }
        }
    }

    @Override
    public void runFinished() {
        display.runFinished();
    }
}
