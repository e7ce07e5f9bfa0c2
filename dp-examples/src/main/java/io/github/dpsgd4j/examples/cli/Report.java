package io.github.dpsgd4j.examples.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.accounting.AccountantType;
import io.github.dpsgd4j.accounting.PrivacyAccountant;
import io.github.dpsgd4j.accounting.SamplingMethod;
import io.github.dpsgd4j.accounting.rdp.RdpAccountant;
import io.github.dpsgd4j.accounting.rdp.RdpEpsilon;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The result of an accounting command, printed either for a person (a title and aligned
 * "label  value" lines) or as one JSON object on one line. Fields keep their insertion order.
 * Non-finite numbers become JSON null with an extra field {@code <name>_non_finite} holding
 * {@code "Infinity"}, {@code "-Infinity"} or {@code "NaN"}.
 */
final class Report {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String title;
    private final ObjectNode json = JSON.createObjectNode();
    private final List<String[]> lines = new ArrayList<>();

    Report(String title) {
        this.title = title;
    }

    /** The accountant's name in JSON ("rdp") and in the text. */
    Report accountant(AccountantType type) {
        json.put("accountant", type.name().toLowerCase(Locale.ROOT));
        lines.add(new String[] {"accountant", type.name() + describe(type)});
        return this;
    }

    Report number(String jsonName, String label, double value) {
        if (Double.isFinite(value)) {
            json.put(jsonName, value);
        } else {
            json.putNull(jsonName);
            json.put(jsonName + "_non_finite", Double.toString(value));
        }
        lines.add(new String[] {label, format(value)});
        return this;
    }

    Report number(String jsonName, String label, long value) {
        json.put(jsonName, value);
        lines.add(new String[] {label, Long.toString(value)});
        return this;
    }

    /**
     * The sampling method behind the figures: JSON {@code "sampling_method"} and a boolean
     * {@code "certified"}; the text says plainly when the epsilon is not a certified bound.
     */
    Report sampling(SamplingMethod method) {
        json.put("sampling_method", method.name());
        json.put("certified", method.isCertified());
        lines.add(new String[] {"sampling", method.isCertified()
                ? method.description() + " (certified upper bound)"
                : method.description() + ": NOT a certified bound (accounted as if Poisson-sampled)"});
        return this;
    }

    Report text(String jsonName, String label, String value) {
        json.put(jsonName, value);
        lines.add(new String[] {label, value});
        return this;
    }

    /**
     * Epsilon at delta from {@code accountant}, with the optimal order when the accountant is RDP
     * and epsilon is finite (when it is infinite every order ties and none is reported).
     */
    Report epsilon(PrivacyAccountant accountant, double delta) {
        if (accountant instanceof RdpAccountant rdp) {
            RdpEpsilon result = rdp.epsilonAndOrder(delta);
            number("epsilon", "epsilon", result.epsilon());
            return Double.isFinite(result.epsilon()) ? number("order", "optimal RDP order", result.order()) : this;
        }
        return number("epsilon", "epsilon", accountant.epsilon(delta));
    }

    void print(PrintWriter out, boolean asJson) {
        if (asJson) {
            try {
                out.println(JSON.writeValueAsString(json));
            } catch (JsonProcessingException ex) {
                throw new IllegalStateException("cannot write the JSON report", ex);
            }
        } else {
            int width = 0;
            for (String[] line : lines) {
                width = Math.max(width, line[0].length());
            }
            out.println(title);
            for (String[] line : lines) {
                out.println("  " + line[0] + " ".repeat(width - line[0].length()) + "  " + line[1]);
            }
        }
        out.flush();
    }

    /** Full precision, plain notation for ordinary magnitudes, "1e-05"-style otherwise. */
    static String format(double value) {
        if (!Double.isFinite(value)) {
            return value == Double.POSITIVE_INFINITY ? "+infinity (no finite guarantee)" : Double.toString(value);
        }
        if (value == 0) {
            return "0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(value)).stripTrailingZeros();
        double magnitude = Math.abs(value);
        if (magnitude >= 1e-3 && magnitude < 1e9) {
            return exact.toPlainString();
        }
        return exact.toString().replace("E", "e");
    }

    private static String describe(AccountantType type) {
        return switch (type) {
            case RDP -> " (Renyi DP, dp_accounting-compatible, 156 orders)";
            case PLD -> " (privacy loss distributions)";
        };
    }
}
