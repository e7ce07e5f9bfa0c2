package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.accounting.rdp.RdpAccountant;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real {@link RdpAccountant} behind the plain {@link PrivacyAccountant} interface, reporting a
 * chosen {@link #type()} and counting epsilon queries. Calibration code takes its generic path
 * (the one a PLD accountant will take) for it, so tests can check that path and count how many
 * accountant evaluations a search costs. Every number it returns comes from the real RDP accountant.
 */
final class CountingAccountant implements PrivacyAccountant {

    private final RdpAccountant delegate;
    private final AccountantType reportedType;
    private final AtomicInteger epsilonQueries;

    CountingAccountant(RdpAccountant delegate, AccountantType reportedType, AtomicInteger epsilonQueries) {
        this.delegate = delegate;
        this.reportedType = reportedType;
        this.epsilonQueries = epsilonQueries;
    }

    @Override
    public AccountantType type() {
        return reportedType;
    }

    @Override
    public PrivacyAccountant compose(DpEvent event) {
        delegate.compose(event);
        return this;
    }

    @Override
    public ComposedEvent history() {
        return delegate.history();
    }

    @Override
    public double epsilon(double delta) {
        epsilonQueries.incrementAndGet();
        return delegate.epsilon(delta);
    }

    @Override
    public double delta(double epsilon) {
        return delegate.delta(epsilon);
    }

    @Override
    public PrivacyAccountant copy() {
        return new CountingAccountant(delegate.copy(), reportedType, epsilonQueries);
    }
}
