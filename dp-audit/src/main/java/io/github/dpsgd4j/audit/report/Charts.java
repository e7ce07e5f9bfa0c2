package io.github.dpsgd4j.audit.report;

import io.github.dpsgd4j.audit.ModelAudit;
import io.github.dpsgd4j.audit.stats.AttackMetrics;
import io.github.dpsgd4j.audit.stats.PrivacyCaps;
import io.github.dpsgd4j.audit.stats.RocCurve;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PNG charts with XChart: ROC curves on log-log axes (Carlini et al. 2022 recommend reading
 * attacks at low FPR) and the privacy-utility picture. Not thread-safe (AWT rendering); call from
 * one thread.
 */
public final class Charts {

    private Charts() {
    }

    /**
     * The log-log ROC of LiRA (online, offline) and the loss attack on one model, with the chance
     * diagonal and, for a private model, the cap max TPR at each FPR implied by (epsilon, delta).
     * FPR and TPR below 1/(2n) are drawn at that floor (log axes cannot show 0).
     */
    public static void roc(ModelAudit audit, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(520)
                .title("ROC (log-log): " + audit.name()).xAxisTitle("false positive rate")
                .yAxisTitle("true positive rate").build();
        chart.getStyler().setXAxisLogarithmic(true);
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(0);
        int nOut = audit.nonMemberCount();
        int nIn = audit.memberCount();
        double floor = 0.5 / Math.max(nOut, nIn);
        chart.getStyler().setXAxisMin(floor);
        chart.getStyler().setXAxisMax(1.0);
        chart.getStyler().setYAxisMin(floor);
        chart.getStyler().setYAxisMax(1.0);
        add(chart, "LiRA online (AUC " + fmt(audit.fullConfidences().liraOnline().auc()) + ")",
                audit.fullConfidences().liraOnline(), floor);
        add(chart, "LiRA offline (AUC " + fmt(audit.fullConfidences().liraOffline().auc()) + ")",
                audit.fullConfidences().liraOffline(), floor);
        add(chart, "loss threshold (AUC " + fmt(audit.lossAuc()) + ")", audit.fullConfidences().loss(), floor);
        if (audit.fullConfidences().rmia() != null) {
            add(chart, "RMIA (AUC " + fmt(audit.rmiaAuc()) + ")", audit.fullConfidences().rmia(), floor);
        }
        if (audit.fullConfidences().rmiaOffline() != null) {
            add(chart, "RMIA offline (AUC " + fmt(audit.rmiaOfflineAuc()) + ")", audit.fullConfidences().rmiaOffline(),
                    floor);
        }
        double[] grid = logGrid(floor, 1, 60);
        XYSeries chance = chart.addSeries("chance", grid, grid.clone());
        chance.setMarker(SeriesMarkers.NONE);
        PrivacyCaps caps = audit.caps();
        if (!caps.trivial()) {
            double[] cap = new double[grid.length];
            for (int i = 0; i < grid.length; i++) {
                cap[i] = Math.max(floor, caps.maxTprAtFpr(grid[i]));
            }
            XYSeries s = chart.addSeries("(epsilon, delta) cap at epsilon " + fmt(audit.epsilon()), grid, cap);
            s.setMarker(SeriesMarkers.NONE);
        }
        // The accountant's bound on every ROC: the PLD trade-off curve, or TPR <= 1 without a guarantee.
        double[] bound = new double[grid.length];
        for (int i = 0; i < grid.length; i++) {
            bound[i] = audit.rocBound() == null ? 1 : Math.max(floor, audit.rocBound().tprAt(grid[i]));
        }
        XYSeries b = chart.addSeries(audit.rocBound() == null ? "accountant bound: none (TPR <= 1)"
                : "accountant's ROC bound (PLD)", grid, bound);
        b.setMarker(SeriesMarkers.NONE);
        b.setLineStyle(new java.awt.BasicStroke(2.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER,
                10f, new float[] {8f, 5f}, 0f));
        b.setLineColor(java.awt.Color.BLACK);
        save(chart, file);
    }

    /**
     * Test accuracy and LiRA AUC against epsilon: private models at their epsilon, non-private
     * models as horizontal reference lines. Needs at least one private model.
     */
    public static void privacyUtility(List<ModelAudit> audits, Path file) throws IOException {
        XYChart chart = new XYChartBuilder().width(640).height(420).title("Privacy and utility")
                .xAxisTitle("epsilon (delta = " + deltaOf(audits) + ")").yAxisTitle("value").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        chart.getStyler().setYAxisMin(0.4);
        chart.getStyler().setYAxisMax(1.0);
        List<Double> eps = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        List<Double> auc = new ArrayList<>();
        List<Double> cap = new ArrayList<>();
        double maxEps = 0;
        for (ModelAudit a : audits) {
            if (Double.isFinite(a.epsilon())) {
                eps.add(a.epsilon());
                acc.add(a.testAccuracy());
                auc.add(a.liraAuc());
                cap.add(a.caps().maxAuc());
                maxEps = Math.max(maxEps, a.epsilon());
            }
        }
        if (eps.isEmpty()) {
            throw new IllegalArgumentException("audits must include a private model, got none");
        }
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(maxEps * 1.5);
        chart.addSeries("test accuracy (private)", eps, acc).setMarker(SeriesMarkers.CIRCLE);
        chart.addSeries("LiRA AUC (private)", eps, auc).setMarker(SeriesMarkers.DIAMOND);
        chart.addSeries("max AUC allowed by epsilon", eps, cap).setMarker(SeriesMarkers.TRIANGLE_UP);
        for (ModelAudit a : audits) {
            if (!Double.isFinite(a.epsilon())) {
                chart.addSeries("test accuracy, " + a.name() + " (epsilon = infinity)", new double[] {0, maxEps * 1.5},
                        new double[] {a.testAccuracy(), a.testAccuracy()}).setMarker(SeriesMarkers.NONE);
                chart.addSeries("LiRA AUC, " + a.name() + " (epsilon = infinity)", new double[] {0, maxEps * 1.5},
                        new double[] {a.liraAuc(), a.liraAuc()}).setMarker(SeriesMarkers.NONE);
            }
        }
        save(chart, file);
    }

    private static String deltaOf(List<ModelAudit> audits) {
        for (ModelAudit a : audits) {
            if (Double.isFinite(a.epsilon())) {
                return Double.toString(a.delta());
            }
        }
        return "-";
    }

    private static void add(XYChart chart, String name, AttackMetrics m, double floor) {
        RocCurve roc = m.roc();
        double[] f = roc.falsePositiveRates();
        double[] t = roc.truePositiveRates();
        for (int i = 0; i < f.length; i++) {
            f[i] = Math.max(floor, f[i]);
            t[i] = Math.max(floor, t[i]);
        }
        chart.addSeries(name, f, t).setMarker(SeriesMarkers.NONE);
    }

    private static double[] logGrid(double from, double to, int points) {
        double[] g = new double[points];
        for (int i = 0; i < points; i++) {
            g[i] = Math.exp(Math.log(from) + (Math.log(to) - Math.log(from)) * i / (points - 1));
        }
        return g;
    }

    static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    private static void save(XYChart chart, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}
