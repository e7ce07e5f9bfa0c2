package io.github.dpsgd4j.optimizers;

/** Loss and clipping totals over the steps of one epoch, for the epoch report (not private). */
final class EpochTotals {
    double loss;
    long examples;
    long clipped;

    void add(StepReport report) {
        if (report.batchSize() > 0) {
            loss += report.meanLoss() * report.batchSize();
            examples += report.batchSize();
            clipped += report.clippedExamples();
        }
    }

    double meanLoss() {
        return examples == 0 ? Double.NaN : loss / examples;
    }

    double clippedFraction() {
        return examples == 0 ? 0 : (double) clipped / examples;
    }
}
