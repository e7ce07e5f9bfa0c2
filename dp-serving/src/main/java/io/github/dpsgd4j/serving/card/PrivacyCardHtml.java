package io.github.dpsgd4j.serving.card;

import io.github.dpsgd4j.accounting.LedgerEntry;

import java.util.Locale;

/** The HTML page of a {@link PrivacyCard}: one self-contained file, all text escaped. Stateless. */
public final class PrivacyCardHtml {

    private PrivacyCardHtml() {
    }

    /** The page. */
    public static String render(PrivacyCard c) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Privacy card</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.4}")
                .append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}")
                .append(".note{color:#555}</style></head><body>\n");
        s.append("<h1>Privacy card</h1>\n");
        s.append("<p>").append(c.isPrivate()
                ? "This model was trained with differential privacy (DP-SGD)."
                : "<strong>This model carries no differential privacy guarantee</strong> (epsilon is infinite).")
                .append("</p>\n");
        s.append("<h2>Guarantee</h2>\n<table>\n");
        row(s, "unit of privacy", PrivacyCard.UNIT_OF_PRIVACY);
        row(s, "adjacency", PrivacyCard.ADJACENCY);
        row(s, "epsilon", number(c.epsilon()) + " at delta = " + c.delta() + " (" + c.accountant().toUpperCase(Locale.ROOT)
                + " accountant, recomputed from the ledger)");
        row(s, "epsilon (RDP cross-check)", number(c.epsilonRdp()));
        row(s, "noise multiplier", number(c.noiseMultiplier()));
        row(s, "sample rate (Poisson)", number(c.sampleRate()));
        row(s, "steps", Long.toString(c.steps()));
        row(s, "clipping norm", number(c.clip()));
        s.append("</table>\n");
        if (c.segments().size() > 1) {
            s.append("<h3>Ledger segments</h3>\n<table><tr><th>noise multiplier</th><th>sample rate</th><th>steps</th></tr>\n");
            for (LedgerEntry e : c.segments()) {
                s.append("<tr><td>").append(e.noiseMultiplier()).append("</td><td>").append(e.sampleRate())
                        .append("</td><td>").append(e.steps()).append("</td></tr>\n");
            }
            s.append("</table>\n");
        }
        s.append("<h2>Model and data</h2>\n<table>\n");
        row(s, "model file", orUnknown(c.model()));
        row(s, "architecture", orUnknown(c.architecture()));
        row(s, "data set", orUnknown(c.dataset()));
        row(s, "training examples", c.trainSize() >= 0 ? Long.toString(c.trainSize()) : "not recorded");
        row(s, "test accuracy", Double.isNaN(c.testAccuracy()) ? "not recorded"
                : String.format(Locale.ROOT, "%.1f%%", 100 * c.testAccuracy()));
        row(s, "served with output policy", c.servedWith() == null ? "not recorded" : c.servedWith());
        s.append("</table>\n<h2>Not covered by the guarantee</h2>\n<ul>\n");
        for (String item : PrivacyCard.NOT_COVERED) {
            s.append("<li>").append(escape(item)).append("</li>\n");
        }
        s.append("</ul>\n<h2>Audit</h2>\n");
        AuditFindings a = c.audit();
        if (a == null) {
            s.append("<p>No audit was run. Run <code>dpsgd4j audit</code> and regenerate the card.</p>\n");
        } else {
            s.append("<p class=\"note\">Subject: ").append(escape(a.subject())).append(". Source: ")
                    .append(escape(a.source())).append(". An AUC inside 0.5 &plusmn; the null half-width, or an ")
                    .append("advantage below its null quantile, is indistinguishable from no leakage; the caps are ")
                    .append("what any attack could reach at this epsilon.</p>\n<table>\n");
            s.append("<tr><th>measure</th><th>measured</th><th>no-leakage band</th><th>cap from epsilon</th></tr>\n");
            s.append("<tr><td>LiRA membership AUC</td><td>").append(number(a.liraAuc())).append("</td><td>0.5 &plusmn; ")
                    .append(number(a.liraAucNullHalfWidth())).append("</td><td>").append(number(a.maxAuc()))
                    .append("</td></tr>\n");
            s.append("<tr><td>loss-threshold AUC</td><td>").append(number(a.lossAuc())).append("</td><td>0.5 &plusmn; ")
                    .append(number(a.liraAucNullHalfWidth())).append("</td><td>").append(number(a.maxAuc()))
                    .append("</td></tr>\n");
            s.append("<tr><td>LiRA advantage</td><td>").append(number(a.liraAdvantage())).append("</td><td>&le; ")
                    .append(number(a.liraAdvantageNull95())).append("</td><td>").append(number(a.maxAdvantage()))
                    .append("</td></tr>\n");
            s.append("<tr><td>empirical epsilon lower bound</td><td>").append(number(a.epsilonLowerBound()))
                    .append("</td><td>0</td><td>").append(number(c.epsilon())).append("</td></tr>\n");
            s.append("<tr><td>MI-Face class identification</td><td>").append(number(a.inversionIdentification()))
                    .append("</td><td>chance 1/K</td><td>&ndash;</td></tr>\n</table>\n");
        }
        s.append("<p class=\"note\">All numbers: card.json.</p>\n</body></html>\n");
        return s.toString();
    }

    private static void row(StringBuilder s, String label, String value) {
        s.append("<tr><th>").append(escape(label)).append("</th><td>").append(escape(value)).append("</td></tr>\n");
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "not recorded";
        }
        if (Double.isInfinite(v)) {
            return "infinite";
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static String orUnknown(String v) {
        return v == null ? "not recorded" : v;
    }

    /** HTML-escapes text. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char ch : text.toCharArray()) {
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}
