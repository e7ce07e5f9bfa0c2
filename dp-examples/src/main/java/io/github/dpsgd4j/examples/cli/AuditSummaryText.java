package io.github.dpsgd4j.examples.cli;

import io.github.dpsgd4j.audit.ModelAudit;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** The plain-text summary {@code audit} prints without {@code --json}: each figure beside its null band and cap. */
final class AuditSummaryText {

    private AuditSummaryText() {
    }

    static void print(PrintWriter out, List<ModelAudit> audits) {
        out.println("Audit summary (AUC 0.5 = chance; null band = 95% range without leakage; caps from epsilon)");
        for (ModelAudit a : audits) {
            var lira = a.fullConfidences().liraOnline();
            out.printf(Locale.ROOT, "  %s: epsilon %s, train accuracy %.3f, test accuracy %.3f (%.0f s)%n", a.name(),
                    Double.isFinite(a.epsilon()) ? String.format(Locale.ROOT, "%.3f", a.epsilon()) : "infinity",
                    a.trainAccuracy(), a.testAccuracy(), a.seconds());
            out.printf(Locale.ROOT, "    LiRA AUC %.3f [%.3f, %.3f], null band 0.5 +- %.3f, cap %.3f; loss-attack AUC %.3f%n",
                    lira.auc(), lira.aucLower(), lira.aucUpper(), lira.aucNullHalfWidth(), a.caps().maxAuc(),
                    a.lossAuc());
            out.printf(Locale.ROOT, "    LiRA advantage %.3f (held out; null 95%% %.3f, cap %.3f); one-run epsilon "
                    + "lower bound %.3f%n", lira.advantage(), lira.maxAdvantageNull95(), a.caps().maxAdvantage(),
                    a.epsilonLowerBound());
            out.printf(Locale.ROOT, "    RMIA AUC %.3f (offline %s); Gaussian-DP one-run lower bound %.3f; accountant's TPR "
                    + "bound at 1%% / 0.1%% FPR %s%n", a.rmiaAuc(), Double.isNaN(a.rmiaOfflineAuc())
                    ? "not run: needs >= 4 shadows" : String.format(Locale.ROOT, "%.3f", a.rmiaOfflineAuc()),
                    a.epsilonLowerBoundGdp(), a.rocBound() == null ? "1 / 1 (no guarantee)"
                    : String.format(Locale.ROOT, "%.4f / %.4f", a.rocBound().tprAt(0.01), a.rocBound().tprAt(0.001)));
            out.printf(Locale.ROOT, "    MI-Face: identification %.2f (chance %.2f), correlation %.3f, member gap "
                            + "%.4f (null 95%% +- %.4f)%n", a.inversion().identificationRate(), a.inversion().chance(),
                    a.inversion().meanCorrelation(), a.inversion().memberGap(), a.inversion().memberGapNull95());
            if (a.gradientCanary() != null) {
                var c = a.gradientCanary();
                out.printf(Locale.ROOT, "    gradient canary: noise %.3f x sigma C, empirical epsilon %.2f [%.2f, %.2f] "
                                + "vs accountant %.2f: %s%n", c.noiseStdRatio(), c.epsilon(), c.epsilonLower(),
                        c.epsilonUpper(), c.accountantEpsilon(), c.violation() ? "VIOLATION" : "consistent");
            }
        }
        audits.stream().map(ModelAudit::shadowNote).filter(java.util.Objects::nonNull).distinct()
                .forEach(note -> out.println("  Note on shadow models: " + note + "."));
    }
}
