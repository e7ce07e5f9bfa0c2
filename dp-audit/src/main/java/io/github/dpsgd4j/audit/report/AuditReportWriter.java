package io.github.dpsgd4j.audit.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.dpsgd4j.audit.AuditData;
import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.epsilon.GradientCanaryAudit;
import io.github.dpsgd4j.audit.inversion.HalfImageCompletion;
import io.github.dpsgd4j.audit.inversion.InversionMetrics;
import io.github.dpsgd4j.audit.inversion.Reconstruction;
import io.github.dpsgd4j.audit.membership.ClassSlice;
import io.github.dpsgd4j.audit.membership.MembershipAudit;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.common.Checks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a complete audit report into a directory: {@code audit.json} (every metric),
 * {@code roc-<model>.png} (log-log ROC), {@code reconstructions.png} (member class means, then
 * white-box MI-Face rows per model), {@code black-box-<model>.png} (MI-Face through each output
 * policy), {@code privacy-utility.png} (when a private model is present) and {@code index.html}
 * tying them together. Not thread-safe (AWT rendering).
 */
public final class AuditReportWriter {

    private AuditReportWriter() {
    }

    /**
     * Writes the report.
     *
     * @param audits      audited models (non-private first, by convention)
     * @param data        the audit pool (for class means in the pictures)
     * @param description one line on the data and setting, shown in the page and the JSON
     * @param directory   created if missing; existing report files are overwritten
     * @return the JSON document written to {@code audit.json}
     */
    public static ObjectNode write(List<ModelAudit> audits, AuditData data, String description, Path directory)
            throws IOException {
        Checks.notNull("audits", audits);
        Checks.notNull("data", data);
        Checks.notNull("directory", directory);
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Files.createDirectories(directory);
        ObjectNode json = AuditJson.MAPPER.createObjectNode();
        json.put("description", description);
        ArrayNode models = json.putArray("models");
        for (ModelAudit a : audits) {
            models.add(AuditJson.detail(a));
            Charts.roc(a, directory.resolve("roc-" + a.name() + ".png"));
        }
        int w = data.width();
        int h = data.height();
        int scale = Math.max(2, 96 / Math.max(w, h));
        List<double[]> means = classMeans(data);
        List<ImageGrid.Row> rows = new ArrayList<>();
        rows.add(new ImageGrid.Row("member class means", means));
        for (ModelAudit a : audits) {
            rows.add(new ImageGrid.Row(a.name() + ", white box", images(a.reconstructions())));
        }
        ImageGrid.write(rows, w, h, scale, directory.resolve("reconstructions.png"));
        for (ModelAudit a : audits) {
            if (!a.blackBoxReconstructions().isEmpty()) {
                List<ImageGrid.Row> bb = new ArrayList<>();
                bb.add(new ImageGrid.Row("member class means", means));
                for (Map.Entry<String, List<Reconstruction>> e : a.blackBoxReconstructions().entrySet()) {
                    bb.add(new ImageGrid.Row(a.name() + ", black box, " + e.getKey(), images(e.getValue())));
                }
                ImageGrid.write(bb, w, h, scale, directory.resolve("black-box-" + a.name() + ".png"));
            }
        }
        boolean anyPrivate = audits.stream().anyMatch(a -> Double.isFinite(a.epsilon()));
        if (anyPrivate) {
            Charts.privacyUtility(audits, directory.resolve("privacy-utility.png"));
        }
        Files.writeString(directory.resolve("audit.json"),
                AuditJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json), StandardCharsets.UTF_8);
        Files.writeString(directory.resolve("index.html"), html(audits, description, anyPrivate),
                StandardCharsets.UTF_8);
        return json;
    }

    /** Reconstructions contrast-stretched to [0, 1] for display only (metrics use the raw images). */
    private static List<double[]> images(List<Reconstruction> reconstructions) {
        List<double[]> out = new ArrayList<>();
        for (Reconstruction r : reconstructions) {
            double[] x = r.image().clone();
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (double v : x) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            if (max > min) {
                for (int j = 0; j < x.length; j++) {
                    x[j] = (x[j] - min) / (max - min);
                }
            }
            out.add(x);
        }
        return out;
    }

    private static List<double[]> classMeans(AuditData data) {
        double[][] images = data.images();
        int[] labels = data.labels();
        boolean[] member = data.member();
        int d = images[0].length;
        double[][] sums = new double[data.numClasses()][d];
        int[] counts = new int[data.numClasses()];
        for (int i = 0; i < images.length; i++) {
            if (member[i]) {
                counts[labels[i]]++;
                for (int j = 0; j < d; j++) {
                    sums[labels[i]][j] += images[i][j];
                }
            }
        }
        List<double[]> out = new ArrayList<>();
        for (int c = 0; c < sums.length; c++) {
            for (int j = 0; j < d; j++) {
                sums[c][j] /= Math.max(1, counts[c]);
            }
            out.add(sums[c]);
        }
        return out;
    }

    private static String html(List<ModelAudit> audits, String description, boolean anyPrivate) {
        StringBuilder s = new StringBuilder();
        s.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>dpsgd4j audit</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;")
                .append("text-align:right}th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}")
                .append(".note{color:#555;font-size:90%}img{max-width:100%}</style></head><body>\n")
                .append("<h1>What the models leak</h1>\n<p>").append(esc(description)).append("</p>\n");
        s.append("<p class=\"note\">How to read this page: docs/audit.md. AUC 0.5 is chance; the null band is where")
                .append(" an attack without information lands 95% of the time; the caps are the most any attack can")
                .append(" reach against a model with that (epsilon, delta). Thresholds were chosen on held-out folds.")
                .append("</p>\n");
        s.append("<h2>Summary</h2>\n<table><tr><th>model</th><th>epsilon</th><th>train acc</th><th>test acc</th>")
                .append("<th>LiRA AUC [95% CI]</th><th>null band</th><th>max AUC (cap)</th><th>loss AUC</th>")
                .append("<th>LiRA advantage (held out)</th><th>advantage null 95%</th><th>max advantage (cap)</th>")
                .append("<th>TPR at 10% FPR</th><th>RMIA AUC online / offline</th><th>accountant's TPR bound at 10% / 1% / 0.1% FPR</th>")
                .append("<th>empirical epsilon lower bound (CP / GDP)</th><th>seconds</th></tr>\n");
        for (ModelAudit a : audits) {
            AttackMetrics lira = a.fullConfidences().liraOnline();
            AttackMetrics.TprAtFpr t = lira.atFpr(0.1);
            s.append("<tr><td>").append(esc(a.name())).append("</td><td>").append(eps(a.epsilon())).append("</td><td>")
                    .append(f(a.trainAccuracy())).append("</td><td>").append(f(a.testAccuracy())).append("</td><td>")
                    .append(f(lira.auc())).append(" [").append(f(lira.aucLower())).append(", ")
                    .append(f(lira.aucUpper())).append("]</td><td>0.5 &plusmn; ").append(f(lira.aucNullHalfWidth()))
                    .append("</td><td>").append(f(a.caps().maxAuc())).append("</td><td>").append(f(a.lossAuc()))
                    .append("</td><td>").append(f(lira.advantage())).append("</td><td>")
                    .append(f(lira.maxAdvantageNull95())).append("</td><td>").append(f(a.caps().maxAdvantage()))
                    .append("</td><td>").append(t.resolvable() ? f(t.tpr()) : "not resolvable").append("</td><td>")
                    .append(f(a.rmiaAuc())).append(" / ").append(f(a.rmiaOfflineAuc())).append("</td><td>")
                    .append(bounds(a)).append("</td><td>")
                    .append(f(a.epsilonLowerBound())).append(" / ").append(f(a.epsilonLowerBoundGdp()))
                    .append("</td><td>").append(String.format(Locale.ROOT, "%.1f",
                            a.seconds())).append("</td></tr>\n");
        }
        s.append("</table>\n<p class=\"note\">TPR at 1% and 0.1% FPR are reported only with at least 1,000 and")
                .append(" 10,000 non-members (f &ge; 10/n). The empirical lower bound is the one-run audit")
                .append(" from the LiRA scores, 95% confidence: CP = Steinke et al. 2023 ((epsilon, delta) test), GDP =")
                .append(" Mahloujifar et al. 2025 (Gaussian trade-off curves, tighter). The accountant's TPR bound is the")
                .append(" largest TPR any attack can reach against the model's privacy-loss distribution (dashed black")
                .append(" curve on each ROC). RMIA offline uses for each example only the shadows that left it out,")
                .append(" with the paper's a tuned on the shadows (at least 4 shadows; n/a otherwise).</p>\n");
        audits.stream().map(ModelAudit::shadowNote).filter(java.util.Objects::nonNull).distinct().forEach(note ->
                s.append("<p class=\"note\"><b>Shadow models:</b> ").append(esc(note)).append(".</p>\n"));
        for (ModelAudit a : audits) {
            s.append("<h2>Membership inference: ").append(esc(a.name())).append("</h2>\n")
                    .append("<img src=\"roc-").append(esc(a.name())).append(".png\" alt=\"ROC\">\n")
                    .append("<table><tr><th>output policy</th><th>loss AUC</th><th>LiRA online AUC</th>")
                    .append("<th>LiRA offline AUC</th><th>RMIA AUC</th><th>RMIA offline AUC (a)</th><th>LiRA advantage</th><th>LiRA TPR at 10% FPR</th>")
                    .append("</tr>\n");
            for (MembershipAudit.Result r : a.membership()) {
                AttackMetrics.TprAtFpr t = r.liraOnline().atFpr(0.1);
                s.append("<tr><td>").append(esc(r.policy())).append("</td><td>").append(f(r.loss().auc()))
                        .append("</td><td>").append(f(r.liraOnline().auc())).append("</td><td>")
                        .append(f(r.liraOffline().auc())).append("</td><td>")
                        .append(r.rmia() == null ? "n/a" : f(r.rmia().auc())).append("</td><td>")
                        .append(r.rmiaOffline() == null ? "n/a" : f(r.rmiaOffline().auc()) + " (" + f(r.rmiaOfflineA())
                                + ")").append("</td><td>")
                        .append(f(r.liraOnline().advantage()))
                        .append("</td><td>").append(t.resolvable() ? f(t.tpr()) : "not resolvable")
                        .append("</td></tr>\n");
            }
            s.append("</table>\n");
            classTable(s, a);
            GradientCanaryAudit.Result c = a.gradientCanary();
            if (c != null) {
                s.append("<p>Gradient-canary check of this model's DP-SGD settings (Nasr et al. 2023): noise")
                        .append(" standard deviation ").append(f(c.noiseStdRatio())).append(" &times; sigma C")
                        .append(" (99.9% interval [").append(f(c.noiseStdRatioLower())).append(", ")
                        .append(f(c.noiseStdRatioUpper())).append("]); empirical epsilon ").append(f(c.epsilon()))
                        .append(" [").append(f(c.epsilonLower())).append(", ").append(f(c.epsilonUpper()))
                        .append("] against the accountant's ").append(f(c.accountantEpsilon())).append(": ")
                        .append(c.violation() ? "<b>VIOLATION</b>" : "consistent").append(".</p>\n");
            }
        }
        s.append("<h2>Model inversion (MI-Face)</h2>\n<img src=\"reconstructions.png\" alt=\"reconstructions\">\n")
                .append("<table><tr><th>model / access</th><th>identification</th><th>correlation</th><th>SSIM</th>")
                .append("<th>MSE</th><th>baseline MSE (global mean)</th><th>member gap</th><th>gap null 95%</th>")
                .append("<th>confidence</th></tr>\n");
        for (ModelAudit a : audits) {
            row(s, a.name() + ", white box", a.inversion());
            for (Map.Entry<String, InversionMetrics> e : a.blackBoxInversion().entrySet()) {
                row(s, a.name() + ", black box, " + e.getKey(), e.getValue());
            }
        }
        s.append("</table>\n<p class=\"note\">Pictures of reconstructions are contrast-stretched; the metrics use"
                + " the raw images. Identification chance is 1/K. A class reconstruction that looks like")
                .append(" the class is expected even under DP: DP protects individuals, not class averages. The")
                .append(" member gap (distance to the nearest member minus to the nearest non-member, negative =")
                .append(" closer to members) is the membership-dependent part; inside &plusmn; its null band it is")
                .append(" noise.</p>\n");
        completionTable(s, audits);
        for (ModelAudit a : audits) {
            if (!a.blackBoxReconstructions().isEmpty()) {
                s.append("<h3>Black box through output policies: ").append(esc(a.name())).append("</h3>\n")
                        .append("<img src=\"black-box-").append(esc(a.name())).append(".png\" alt=\"black box\">\n");
            }
        }
        if (anyPrivate) {
            s.append("<h2>Privacy and utility</h2>\n<img src=\"privacy-utility.png\" alt=\"privacy-utility\">\n");
        }
        s.append("<p class=\"note\">All numbers: audit.json.</p>\n</body></html>\n");
        return s.toString();
    }

    private static String bounds(ModelAudit a) {
        if (a.rocBound() == null) {
            return "1 / 1 / 1 (no guarantee)";
        }
        return f(a.rocBound().tprAt(0.1)) + " / " + f(a.rocBound().tprAt(0.01)) + " / " + f(a.rocBound().tprAt(0.001));
    }

    private static void classTable(StringBuilder s, ModelAudit a) {
        if (a.classSlices().isEmpty()) {
            return;
        }
        s.append("<p>By class (full confidences): which classes leak most. A class AUC inside 0.5 &plusmn; its null")
                .append(" half-width is noise.</p>\n<table><tr><th>class</th><th>members</th><th>non-members</th>")
                .append("<th>test acc</th><th>LiRA AUC [95% CI]</th><th>RMIA AUC</th><th>null half-width</th></tr>\n");
        for (ClassSlice c : a.classSlices()) {
            s.append("<tr><td>").append(c.label()).append("</td><td>").append(c.members()).append("</td><td>")
                    .append(c.nonMembers()).append("</td><td>").append(f(c.testAccuracy())).append("</td><td>")
                    .append(c.aboveNullBand() ? "<b>" : "").append(f(c.liraAuc())).append(c.aboveNullBand() ? "</b>" : "")
                    .append(" [").append(f(c.liraAucLower())).append(", ").append(f(c.liraAucUpper()))
                    .append("]</td><td>").append(f(c.rmiaAuc())).append("</td><td>").append(f(c.aucNullHalfWidth()))
                    .append("</td></tr>\n");
        }
        s.append("</table>\n");
    }

    private static void completionTable(StringBuilder s, List<ModelAudit> audits) {
        if (audits.stream().allMatch(a -> a.completion() == null)) {
            return;
        }
        s.append("<h3>Completing individuals: half-image completion</h3>\n<p>The attacker knows the top half and")
                .append(" the label of a person's image and completes the bottom half through the model (white box,")
                .append(" from the class mean). Gain = how much closer (pixel MSE) the completion is than the class")
                .append(" mean. The member gap (members' gain minus non-members') is what DP bounds.</p>\n")
                .append("<table><tr><th>model</th><th>member gain</th><th>non-member gain</th><th>member gap [95% CI]")
                .append("</th><th>prior MSE</th></tr>\n");
        for (ModelAudit a : audits) {
            HalfImageCompletion c = a.completion();
            if (c != null) {
                s.append("<tr><td>").append(esc(a.name())).append("</td><td>").append(f4(c.memberGain()))
                        .append("</td><td>").append(f4(c.nonMemberGain())).append("</td><td>")
                        .append(f4(c.memberGap())).append(" [").append(f4(c.memberGapLower())).append(", ")
                        .append(f4(c.memberGapUpper())).append("]</td><td>").append(f4(c.priorMse()))
                        .append("</td></tr>\n");
            }
        }
        s.append("</table>\n");
    }

    private static String f4(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static void row(StringBuilder s, String label, InversionMetrics m) {
        s.append("<tr><td>").append(esc(label)).append("</td><td>").append(f(m.identificationRate()))
                .append("</td><td>").append(f(m.meanCorrelation())).append("</td><td>").append(f(m.meanSsim()))
                .append("</td><td>").append(f(m.meanMse())).append("</td><td>").append(f(m.baselineMse()))
                .append("</td><td>").append(f(m.memberGap())).append("</td><td>").append(f(m.memberGapNull95()))
                .append("</td><td>").append(f(m.meanConfidence())).append("</td></tr>\n");
    }

    private static String f(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static String eps(double v) {
        return Double.isFinite(v) ? f(v) : "&infin; (not private)";
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
