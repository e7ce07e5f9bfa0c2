package io.github.dpsgd4j.audit.data;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class GermanCreditTest {

    @Test
    void bundledFile_hasTheChecksumRecordedInItsAttribution() throws Exception {
        try (InputStream in = GermanCredit.class.getResourceAsStream("credit-g.arff")) {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(in.readAllBytes());
            assertEquals("6d1f523994d114b7940bcb43e73c5d243ba5ae59846edfbcaab246afcd0c2976",
                    HexFormat.of().formatHex(digest));
        }
    }

    @Test
    void load_reads1000ApplicantsWith20AttributesAndTheClass() {
        GermanCredit data = GermanCredit.load();
        assertEquals(1000, data.size());
        assertEquals(21, data.attributes().size());
        // 13 nominal attributes with 56 values in all, 7 numeric
        assertEquals(63, data.featureCount());
        assertArrayEquals(new String[] {"male div/sep", "female div/dep/mar", "male single", "male mar/wid",
                "female single"}, data.values("personal_status"));
        // first data line: ... 'male single' ... good
        assertEquals(2, data.value(0, "personal_status"));
        assertEquals(0, data.label(0));
        assertEquals(1, data.label(1));
    }

    @Test
    void encodeWith_replacesOnlyTheSensitiveOneHotBlock() {
        GermanCredit data = GermanCredit.load();
        double[] original = data.encode(0);
        double[] replaced = data.encodeWith(0, "personal_status", 1);
        int differences = 0;
        for (int j = 0; j < original.length; j++) {
            differences += original[j] != replaced[j] ? 1 : 0;
        }
        assertEquals(2, differences);
        assertThrows(IllegalArgumentException.class, () -> data.encodeWith(0, "age", 1));
        assertThrows(IllegalArgumentException.class, () -> data.encodeWith(0, "personal_status", 5));
    }
}
