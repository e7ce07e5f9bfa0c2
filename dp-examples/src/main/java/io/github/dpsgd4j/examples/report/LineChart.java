package io.github.dpsgd4j.examples.report;

import io.github.dpsgd4j.common.Checks;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A PNG line chart (XChart, rendered headless): a title, axis titles, and named series of points.
 *
 * <p>Not thread-safe while being built; immutable series.
 */
public final class LineChart {

    static {
        // Render without a display (servers, CI); must be set before AWT initialises.
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * One line.
     *
     * @param name   legend text
     * @param x      abscissae, finite
     * @param y      ordinates, same length as x; non-finite points are left out
     * @param dashed whether to draw it dashed (for reference lines)
     */
    public record Series(String name, double[] x, double[] y, boolean dashed) {
        public Series {
            Checks.notNull("name", name);
            Checks.notNull("x", x);
            Checks.notNull("y", y);
            Checks.equalTo("y.length", y.length, "x.length", x.length);
            x = x.clone();
            y = y.clone();
        }
    }

    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final List<Series> series = new ArrayList<>();
    private boolean logarithmicX;
    private Double yMin;
    private Double yMax;

    /** A chart with the given title and axis titles. */
    public LineChart(String title, String xTitle, String yTitle) {
        this.title = Checks.notNull("title", title);
        this.xTitle = Checks.notNull("xTitle", xTitle);
        this.yTitle = Checks.notNull("yTitle", yTitle);
    }

    /** Adds a line. */
    public LineChart add(Series line) {
        series.add(Checks.notNull("line", line));
        return this;
    }

    /** Draws the x axis on a logarithmic scale (all abscissae must be {@code > 0}). */
    public LineChart logarithmicX() {
        this.logarithmicX = true;
        return this;
    }

    /** Fixes the y range. */
    public LineChart yRange(double min, double max) {
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    /** Number of series. */
    public int seriesCount() {
        return series.size();
    }

    /** Renders to {@code file} as PNG (replacing it). */
    public Path savePng(Path file) throws IOException {
        Checks.notNull("file", file);
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setXAxisLogarithmic(logarithmicX);
        chart.getStyler().setAntiAlias(true);
        if (yMin != null) {
            chart.getStyler().setYAxisMin(yMin);
            chart.getStyler().setYAxisMax(yMax);
        }
        for (Series s : series) {
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    xs.add(s.x()[i]);
                    ys.add(s.y()[i]);
                }
            }
            if (xs.isEmpty()) {
                continue;
            }
            XYSeries line = chart.addSeries(s.name(), xs, ys);
            if (s.dashed()) {
                line.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[] {6f, 6f}, 0f));
                line.setMarker(SeriesMarkers.NONE);
            }
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
        return file;
    }
}
