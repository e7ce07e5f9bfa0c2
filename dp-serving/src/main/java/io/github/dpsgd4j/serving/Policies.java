package io.github.dpsgd4j.serving;

import io.github.dpsgd4j.audit.model.OutputPolicy;
import io.github.dpsgd4j.common.Checks;

import java.util.Locale;

/**
 * Command-line names of output policies: {@code label}, {@code top-k:K}, {@code rounded:D},
 * {@code full}; dp-audit's own names ({@code top-K}, {@code round-D}) are accepted as well.
 */
public final class Policies {

    private Policies() {
    }

    /**
     * Parses a policy name.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static OutputPolicy parse(String text) {
        Checks.notNull("--output-policy", text);
        String s = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (s.startsWith("top-k:")) {
                return OutputPolicy.topK(Integer.parseInt(s.substring(6)));
            }
            if (s.startsWith("rounded:")) {
                return OutputPolicy.rounded(Integer.parseInt(s.substring(8)));
            }
            return OutputPolicy.parse(s);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("--output-policy must be label, top-k:K (K >= 1), rounded:D "
                    + "(D in [0, 15]) or full, got '" + text + "'", ex);
        }
    }

    /** The command-line name: "label", "top-k:3", "rounded:2", "full". */
    public static String cliName(OutputPolicy policy) {
        Checks.notNull("policy", policy);
        if (policy instanceof OutputPolicy.TopK t) {
            return "top-k:" + t.k();
        }
        if (policy instanceof OutputPolicy.RoundedConfidences r) {
            return "rounded:" + r.digits();
        }
        return policy.name();
    }
}
