package io.github.dpsgd4j.testing;

import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared {@link FixedDefaultSeed} hook is active: two properties with the same parameters and
 * no seed of their own see the same samples (with jqwik's random seed per property they would
 * differ with probability 1 - 2^-320), unless the run asked for random seeds. The property with an
 * explicit seed is left alone.
 */
class FixedDefaultSeedProperties {

    private static final List<Long> FIRST = new ArrayList<>();
    private static final List<Long> SECOND = new ArrayList<>();
    private static final List<Long> EXPLICIT = new ArrayList<>();

    @Property(tries = 5, edgeCases = EdgeCasesMode.NONE)
    void first(@ForAll long value) {
        FIRST.add(value);
    }

    @Property(tries = 5, edgeCases = EdgeCasesMode.NONE)
    void second(@ForAll long value) {
        SECOND.add(value);
    }

    @Property(tries = 5, edgeCases = EdgeCasesMode.NONE, seed = "7")
    void explicitSeed(@ForAll long value) {
        EXPLICIT.add(value);
    }

    @AfterContainer
    static void propertiesWithoutASeed_sawTheSameSamples_andAnExplicitSeedWins() {
        assertEquals(5, FIRST.size());
        if (FixedDefaultSeed.seed(System.getProperty(FixedDefaultSeed.SEED_PROPERTY)) == null) {
            assertTrue(!FIRST.equals(SECOND), "with -D" + FixedDefaultSeed.SEED_PROPERTY + "=random each property draws its own seed");
        } else {
            assertEquals(FIRST, SECOND, "both properties must run on the fixed default seed");
        }
        assertTrue(!EXPLICIT.equals(FIRST), "an explicit seed must not be overridden");
    }

    @Example
    void seed_defaultsToTheFixedSeed_acceptsANumberOrRandom_andNamesTheProperty() {
        assertEquals(FixedDefaultSeed.DEFAULT_SEED, FixedDefaultSeed.seed(null));
        assertEquals(FixedDefaultSeed.DEFAULT_SEED, FixedDefaultSeed.seed(" "));
        assertEquals("-42", FixedDefaultSeed.seed(" -42 "));
        assertNull(FixedDefaultSeed.seed("Random"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FixedDefaultSeed.seed("4x2"));
        assertTrue(e.getMessage().contains("dpsgd4j.jqwik.seed") && e.getMessage().contains("4x2"), e.getMessage());
    }
}
