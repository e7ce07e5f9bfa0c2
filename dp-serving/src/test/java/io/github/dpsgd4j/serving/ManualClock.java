package io.github.dpsgd4j.serving;

import io.github.bucket4j.TimeMeter;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A clock the test moves by hand (nanoseconds), usable as a Bucket4j meter and a nano supplier. */
public final class ManualClock implements TimeMeter, LongSupplier {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

    public void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Override
    public long currentTimeNanos() {
        return nanos.get();
    }

    @Override
    public boolean isWallClockBased() {
        return false;
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }
}
