package io.github.dpsgd4j.accounting.pld;

import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.ComposedEvent;
import io.github.dpsgd4j.accounting.DpEvent;
import io.github.dpsgd4j.accounting.GaussianEvent;
import io.github.dpsgd4j.accounting.LedgerEntry;
import io.github.dpsgd4j.accounting.PoissonSampledEvent;
import io.github.dpsgd4j.accounting.PrivacyAccountant;
import io.github.dpsgd4j.accounting.PrivacyGuarantee;
import io.github.dpsgd4j.accounting.PrivacyLedger;
import io.github.dpsgd4j.accounting.SelfComposedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Behaviour of {@link PldAccountant}: factories, special events, errors, history and copies. */
class PldAccountantTest {

    private static final double COARSE = 1e-2;

    @Test
    void create_usesTheDefaultInterval() {
        assertEquals(1e-4, PldAccountant.create().discretizationInterval());
        assertEquals(PldAccountant.DEFAULT_DISCRETIZATION_INTERVAL, PldAccountant.create().discretizationInterval());
        assertEquals(AccountantType.PLD, PldAccountant.create().type());
    }

    @Test
    void accountantTypePld_createsADefaultPldAccountant() {
        PrivacyAccountant accountant = AccountantType.PLD.newAccountant();
        PldAccountant pld = assertInstanceOf(PldAccountant.class, accountant);
        assertEquals(1e-4, pld.discretizationInterval());
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1e-4, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void withDiscretization_rejectsNonPositiveOrNonFiniteIntervals(double interval) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PldAccountant.withDiscretization(interval));
        assertEquals("discretizationInterval must be finite and > 0, got " + interval, e.getMessage());
    }

    @Test
    void emptyHistory_costsNothing() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        assertEquals(0, accountant.epsilon(1e-5));
        assertEquals(0, accountant.delta(0));
        assertEquals(List.of(), accountant.history().events());
    }

    @Test
    void zeroSampleRateOrZeroCount_isANoOp_evenWithoutNoise() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0, 1000));
        accountant.compose(new PoissonSampledEvent(0, new GaussianEvent(0)));
        accountant.compose(new SelfComposedEvent(new GaussianEvent(0), 0));
        accountant.compose(DpEvent.dpSgd(0, 0.5, 0));
        assertEquals(0, accountant.epsilon(1e-10));
        assertEquals(0, accountant.delta(0));
        assertEquals(4, accountant.history().events().size());
    }

    @Test
    void zeroNoiseMultiplier_givesInfiniteEpsilonAndDeltaOne() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 10));
        accountant.compose(DpEvent.dpSgd(0, 0.01, 1));
        assertEquals(Double.POSITIVE_INFINITY, accountant.epsilon(0.5));
        assertEquals(1, accountant.delta(100));
        PldAccountant gaussian = PldAccountant.withDiscretization(COARSE);
        gaussian.compose(new GaussianEvent(0));
        assertEquals(Double.POSITIVE_INFINITY, gaussian.epsilon(0.1));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 1, -1e-5, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void epsilon_rejectsDeltaOutsideTheOpenUnitInterval(double delta) {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> accountant.epsilon(delta));
        assertEquals("delta must be in (0, 1), got " + delta, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1e-9, -1, Double.NaN, Double.POSITIVE_INFINITY})
    void delta_rejectsNegativeOrNonFiniteEpsilon(double epsilon) {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> accountant.delta(epsilon));
        assertEquals("epsilon must be finite and >= 0, got " + epsilon, e.getMessage());
    }

    @Test
    void epsilon_forDeltaBelowTheTruncatedMass_saysSoInsteadOfAnswering() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.1, 256.0 / 60000, 1000));
        double resolvable = accountant.composedDistribution().infinityMass();
        assertTrue(resolvable >= 1e-15 && resolvable < 1e-14, "truncated mass " + resolvable);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> accountant.epsilon(1e-16));
        assertEquals("delta 1.0E-16 is below the " + resolvable + " probability mass this PLD cannot resolve "
                + "(tail truncation); use delta >= " + resolvable + " or the RDP accountant", e.getMessage());
        // at the resolvable mass itself an (upper-bound) answer exists
        assertTrue(Double.isFinite(accountant.epsilon(resolvable)));
        // delta always includes the truncated mass
        assertTrue(accountant.delta(1000) >= resolvable);
    }

    @Test
    void compose_rejectsSampledEventsOtherThanGaussian_andLeavesTheHistoryUnchanged() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 10));
        double before = accountant.epsilon(1e-5);
        DpEvent nested = new PoissonSampledEvent(0.1, new SelfComposedEvent(new GaussianEvent(1.0), 2));
        DpEvent bad = DpEvent.composed(DpEvent.dpSgd(2.0, 0.5, 100), nested);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> accountant.compose(bad));
        assertTrue(e.getMessage().startsWith("the PLD accountant supports PoissonSampledEvent only of a GaussianEvent"),
                e.getMessage());
        assertEquals(1, accountant.history().events().size());
        assertEquals(before, accountant.epsilon(1e-5));
    }

    @Test
    void compose_rejectsNull() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PldAccountant.withDiscretization(COARSE).compose(null));
        assertEquals("event must not be null", e.getMessage());
    }

    @Test
    void compose_rejectsStepCountsThatOverflow() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        DpEvent huge = new SelfComposedEvent(DpEvent.dpSgd(1.0, 0.01, Long.MAX_VALUE / 2), 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> accountant.compose(huge));
        assertTrue(e.getMessage().startsWith("the number of compositions overflows a long"), e.getMessage());
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, Long.MAX_VALUE));
        assertThrows(IllegalArgumentException.class, () -> accountant.compose(DpEvent.dpSgd(1.0, 0.01, 1)));
        assertEquals(1, accountant.history().events().size());
    }

    @Test
    void tinyNoiseMultiplier_failsWithAnActionableMessage_notAWrongNumber() {
        PldAccountant accountant = PldAccountant.create();
        accountant.compose(DpEvent.dpSgd(0.01, 0.5, 10));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> accountant.epsilon(1e-5));
        assertTrue(e.getMessage().contains("use a coarser interval or the RDP accountant"), e.getMessage());
    }

    @Test
    void history_recordsEventsInOrder() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        DpEvent a = DpEvent.dpSgd(1.0, 0.01, 10);
        DpEvent b = new GaussianEvent(3.0);
        accountant.compose(a).compose(b);
        assertEquals(new ComposedEvent(List.of(a, b)), accountant.history());
    }

    @Test
    void copy_isIndependentAndAnswersTheSame() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 100));
        double epsilon = accountant.epsilon(1e-5);
        PldAccountant copy = accountant.copy();
        assertNotSame(accountant, copy);
        assertEquals(accountant.history(), copy.history());
        assertEquals(epsilon, copy.epsilon(1e-5));
        assertEquals(COARSE, copy.discretizationInterval());
        copy.compose(DpEvent.dpSgd(1.0, 0.01, 100));
        assertTrue(copy.epsilon(1e-5) > epsilon);
        assertEquals(epsilon, accountant.epsilon(1e-5));
        assertEquals(1, accountant.history().events().size());
    }

    @Test
    void composedDistribution_isCachedUntilTheNextCompose() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 100));
        PrivacyLossDistribution first = accountant.composedDistribution();
        assertSame(first, accountant.composedDistribution());
        double before = accountant.epsilon(1e-5);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 100));
        assertNotSame(first, accountant.composedDistribution());
        assertTrue(accountant.epsilon(1e-5) > before);
    }

    @Test
    void guarantee_reportsTheDeltaAndAccountant() {
        PldAccountant accountant = PldAccountant.withDiscretization(COARSE);
        accountant.compose(DpEvent.dpSgd(1.0, 0.01, 100));
        PrivacyGuarantee g = accountant.guarantee(1e-5);
        assertEquals(new PrivacyGuarantee(accountant.epsilon(1e-5), 1e-5, AccountantType.PLD), g);
    }

    @Test
    void ledger_recomputesTheSameGuaranteeWithPld() {
        PrivacyLedger ledger = PrivacyLedger.of(List.of(new LedgerEntry(1.1, 256.0 / 60000, 14063)));
        PrivacyAccountant fromLedger = ledger.accountant(AccountantType.PLD);
        assertEquals(2.381778812581751, fromLedger.epsilon(1e-5), 1e-6);
    }

    @Test
    void sampleRateOne_isTheUnsampledGaussian() {
        PldAccountant sampled = PldAccountant.withDiscretization(1e-3);
        sampled.compose(DpEvent.dpSgd(2.0, 1.0, 7));
        PldAccountant unsampled = PldAccountant.withDiscretization(1e-3);
        unsampled.compose(new SelfComposedEvent(new GaussianEvent(2.0), 7));
        assertEquals(unsampled.epsilon(1e-6), sampled.epsilon(1e-6));
        assertTrue(sampled.composedDistribution().isSymmetric());
    }
}
