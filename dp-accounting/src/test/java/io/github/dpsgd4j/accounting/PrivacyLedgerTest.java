package io.github.dpsgd4j.accounting;

import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrivacyLedgerTest {

    @TempDir
    Path dir;

    @Provide
    Arbitrary<LedgerEntry> entries() {
        Arbitrary<Double> sigmas = Arbitraries.oneOf(Arbitraries.of(0.0, Double.MIN_VALUE, Double.MAX_VALUE, 0.1, 1.1),
                Arbitraries.doubles().between(0, 1e6), Arbitraries.doubles().between(0, Double.MAX_VALUE));
        Arbitrary<Double> rates = Arbitraries.oneOf(Arbitraries.of(0.0, Double.MIN_VALUE, 256 / 60000.0, 1 - 1e-16, 1.0),
                Arbitraries.doubles().between(0, 1));
        // Up to 6 entries whose total step count must fit in a long (a larger total is refused).
        long most = Long.MAX_VALUE / 6;
        Arbitrary<Long> steps = Arbitraries.oneOf(Arbitraries.of(0L, 1L, most), Arbitraries.longs().between(0, most));
        return Combinators.combine(sigmas, rates, steps, Arbitraries.of(SamplingMethod.class)).as(LedgerEntry::new);
    }

    @Property(tries = 200)
    void json_roundTripsExactly(@ForAll("entryLists") List<LedgerEntry> entries) {
        PrivacyLedger ledger = PrivacyLedger.of(entries);
        PrivacyLedger back = PrivacyLedger.fromJson(ledger.toJson());
        assertEquals(ledger, back);
        for (int i = 0; i < entries.size(); i++) {
            assertEquals(Double.doubleToRawLongBits(entries.get(i).noiseMultiplier()),
                    Double.doubleToRawLongBits(back.entries().get(i).noiseMultiplier()));
            assertEquals(Double.doubleToRawLongBits(entries.get(i).sampleRate()),
                    Double.doubleToRawLongBits(back.entries().get(i).sampleRate()));
        }
    }

    @Test
    void json_roundTripsTheLargestStepCount() {
        PrivacyLedger ledger = PrivacyLedger.of(List.of(new LedgerEntry(1.1, 0.01, Long.MAX_VALUE)));
        assertEquals(ledger, PrivacyLedger.fromJson(ledger.toJson()));
        assertEquals(Long.MAX_VALUE, ledger.totalSteps());
    }

    @Provide
    Arbitrary<List<LedgerEntry>> entryLists() {
        return entries().list().ofMaxSize(6);
    }

    @Test
    void file_roundTripsAndGivesTheSameGuaranteeAsTheSteps() throws IOException {
        PrivacyLedger ledger = PrivacyLedger.empty().record(1.1, 256 / 60000.0, 14000).record(1.1, 256 / 60000.0, 63)
                .record(0.9, 0.01, 10);
        assertEquals(2, ledger.entries().size(), "equal mechanisms extend the last segment");
        assertEquals(14073, ledger.totalSteps());
        Path file = dir.resolve("ledger.json");
        ledger.write(file);
        PrivacyLedger back = PrivacyLedger.read(file);
        assertEquals(ledger, back);
        RdpAccountant direct = RdpAccountant.create()
                .compose(DpEvent.dpSgd(1.1, 256 / 60000.0, 14063)).compose(DpEvent.dpSgd(0.9, 0.01, 10));
        assertArrayEquals(direct.rdp(), ((RdpAccountant) back.accountant(AccountantType.RDP)).rdp());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "unknown field    | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3, \"epochs\": 2}]} | events[0] has unknown field \"epochs\"",
            "missing field    | {\"events\": [{\"noise_multiplier\": 1, \"steps\": 3}]}                                     | events[0].sample_rate must be a number, got nothing",
            "fractional steps | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 1.5}]}          | events[0].steps must be a whole number, got 1.5",
            "negative steps   | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": -2}]}           | events[0]: steps must be >= 0, got -2",
            "steps as text    | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": \"3\"}]}        | events[0].steps must be a whole number",
            "NaN as text      | {\"events\": [{\"noise_multiplier\": \"NaN\", \"sample_rate\": 0.1, \"steps\": 3}]}      | events[0].noise_multiplier must be a number",
            "NaN literal      | {\"events\": [{\"noise_multiplier\": NaN, \"sample_rate\": 0.1, \"steps\": 3}]}          | not valid JSON",
            "huge sigma       | {\"events\": [{\"noise_multiplier\": 1e999, \"sample_rate\": 0.1, \"steps\": 3}]}        | events[0]: noise_multiplier must be finite and >= 0",
            "negative sigma   | {\"events\": [{\"noise_multiplier\": -1, \"sample_rate\": 0.1, \"steps\": 3}]}           | events[0]: noise_multiplier must be finite and >= 0, got -1.0",
            "q = 2            | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 2, \"steps\": 3}]}              | events[1]: sample_rate must be in [0, 1], got 2.0",
            "not JSON         | events: none                                                                          | not valid JSON",
            "no events        | {\"segments\": []}                                                                     | must have an \"events\" array",
            "events not list  | {\"events\": {}}                                                                       | must have an \"events\" array",
            "root is a list   | []                                                                                     | must be a JSON object",
            "entry not object | {\"events\": [3]}                                                                      | events[0] must be an object",
            "duplicate events | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3}], \"events\": []} | Duplicate field 'events'",
            "duplicate field  | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3, \"steps\": 0}]} | Duplicate field 'steps'",
            "bad sampling     | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3, \"sampling_method\": \"shuffled\"}]} | events[0].sampling_method must be \"POISSON\" or \"SHUFFLED_FIXED_SIZE\", got \"shuffled\"",
            "sampling number  | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3, \"sampling_method\": 1}]} | events[0].sampling_method must be",
            "trailing ledger  | {\"events\": []} {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 3}]} | Trailing token",
            "total overflows  | {\"events\": [{\"noise_multiplier\": 1, \"sample_rate\": 0.1, \"steps\": 9223372036854775807}, {\"noise_multiplier\": 2, \"sample_rate\": 0.1, \"steps\": 1}]} | events[1].steps: the total step count exceeds 9223372036854775807"
    })
    void fromJson_malformedLedger_isRejectedNamingEntryAndField(String what, String json, String message) {
        String document = what.trim().equals("q = 2")
                ? json.replace("[{", "[{\"noise_multiplier\": 1, \"sample_rate\": 0.5, \"steps\": 1}, {") : json;
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> PrivacyLedger.fromJson(document));
        assertTrue(ex.getMessage().contains(message.trim()), what + ": " + ex.getMessage());
    }

    @Test
    void ledgerWithoutSamplingMethod_readsAsPoisson_andNewLedgersWriteIt() {
        PrivacyLedger old = PrivacyLedger.fromJson("{\"events\": [{\"noise_multiplier\": 1.1, \"sample_rate\": 0.01, \"steps\": 30}]}");
        assertEquals(SamplingMethod.POISSON, old.entries().get(0).samplingMethod());
        assertEquals(SamplingMethod.POISSON, old.samplingMethod());
        assertTrue(old.toJson().contains("\"sampling_method\" : \"POISSON\""), old.toJson());
        assertEquals(old, PrivacyLedger.fromJson(old.toJson()));
    }

    @Test
    void shuffledSteps_makeASeparateSegment_andTheLedgerAndItsGuaranteeNotCertified() {
        PrivacyLedger ledger = PrivacyLedger.empty().record(1.1, 0.01, 10)
                .record(1.1, 0.01, 5, SamplingMethod.SHUFFLED_FIXED_SIZE);
        assertEquals(2, ledger.entries().size(), "a different sampling method starts a new segment");
        assertEquals(SamplingMethod.SHUFFLED_FIXED_SIZE, ledger.samplingMethod());
        PrivacyLedger back = PrivacyLedger.fromJson(ledger.toJson());
        assertEquals(ledger, back);
        assertEquals(SamplingMethod.SHUFFLED_FIXED_SIZE, back.entries().get(1).samplingMethod());

        PrivacyGuarantee guarantee = back.guarantee(1e-5, AccountantType.RDP);
        assertEquals(SamplingMethod.SHUFFLED_FIXED_SIZE, guarantee.samplingMethod());
        assertTrue(!guarantee.isCertified());
        assertTrue(guarantee.toString().contains("NOT a certified bound"), guarantee.toString());
        // the figure itself is the Poisson accounting of the same 15 steps
        assertEquals(PrivacyLedger.empty().record(1.1, 0.01, 15).accountant(AccountantType.RDP).epsilon(1e-5),
                guarantee.epsilon());

        PrivacyGuarantee poisson = PrivacyLedger.empty().record(1.1, 0.01, 15).guarantee(1e-5, AccountantType.RDP);
        assertTrue(poisson.isCertified());
        assertEquals(SamplingMethod.POISSON, poisson.samplingMethod());
        assertTrue(!poisson.toString().contains("NOT"), poisson.toString());
    }

    @Test
    void shuffledSegmentsThatSpendNothing_leaveTheLedgerCertified() {
        PrivacyLedger ledger = PrivacyLedger.empty().record(1.1, 0.01, 10)
                .record(1.1, 0.0, 5, SamplingMethod.SHUFFLED_FIXED_SIZE)
                .record(1.1, 0.01, 0, SamplingMethod.SHUFFLED_FIXED_SIZE);
        assertEquals(SamplingMethod.POISSON, ledger.samplingMethod());
    }

    @Test
    void guarantee_andSamplingArguments_areChecked() {
        PrivacyLedger ledger = PrivacyLedger.empty().record(1.1, 0.01, 10);
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> ledger.guarantee(0, AccountantType.RDP));
        assertTrue(d.getMessage().contains("delta"), d.getMessage());
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> ledger.record(1.1, 0.01, 1, null));
        assertTrue(m.getMessage().contains("samplingMethod"), m.getMessage());
        IllegalArgumentException g = assertThrows(IllegalArgumentException.class,
                () -> new PrivacyGuarantee(1, 1e-5, AccountantType.PLD, null));
        assertTrue(g.getMessage().contains("samplingMethod"), g.getMessage());
    }
}
