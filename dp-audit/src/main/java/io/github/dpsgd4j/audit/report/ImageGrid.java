package io.github.dpsgd4j.audit.report;

import io.github.dpsgd4j.common.Checks;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG grid of grayscale images, one labelled row per group (for example: member class means,
 * non-private reconstructions, private reconstructions). Pixels in [0, 1] map to white..black
 * (ink dark, as digits are drawn). Not thread-safe (AWT).
 */
public final class ImageGrid {

    private ImageGrid() {
    }

    /**
     * One labelled row.
     *
     * @param label  text at the left of the row
     * @param images row-major images of the grid's width x height; null entries are left blank
     */
    public record Row(String label, List<double[]> images) {
    }

    /**
     * Writes the grid.
     *
     * @param rows   rows in order
     * @param width  image width in pixels
     * @param height image height in pixels
     * @param scale  magnification of each pixel, > 0
     * @param file   the PNG file
     */
    public static void write(List<Row> rows, int width, int height, int scale, Path file) throws IOException {
        Checks.notNull("rows", rows);
        Checks.positive("scale", scale);
        int columns = 0;
        for (Row r : rows) {
            columns = Math.max(columns, r.images().size());
        }
        int labelWidth = 230;
        int gap = 4;
        int cellW = width * scale;
        int cellH = height * scale;
        int totalW = labelWidth + columns * (cellW + gap) + gap;
        int totalH = rows.size() * (cellH + gap) + gap;
        BufferedImage img = new BufferedImage(totalW, totalH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, totalW, totalH);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            for (int r = 0; r < rows.size(); r++) {
                int top = gap + r * (cellH + gap);
                g.setColor(Color.BLACK);
                g.drawString(rows.get(r).label(), 6, top + cellH / 2 + 5);
                List<double[]> images = rows.get(r).images();
                for (int c = 0; c < images.size(); c++) {
                    double[] pixels = images.get(c);
                    int left = labelWidth + gap + c * (cellW + gap);
                    g.setColor(new Color(200, 200, 200));
                    g.drawRect(left - 1, top - 1, cellW + 1, cellH + 1);
                    if (pixels == null) {
                        continue;
                    }
                    Checks.equalTo("image length", pixels.length, "width * height", (long) width * height);
                    for (int y = 0; y < height; y++) {
                        for (int x = 0; x < width; x++) {
                            double v = Math.min(1, Math.max(0, pixels[y * width + x]));
                            int level = (int) Math.round(255 * (1 - v));
                            g.setColor(new Color(level, level, level));
                            g.fillRect(left + x * scale, top + y * scale, scale, scale);
                        }
                    }
                }
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        if (!ImageIO.write(img, "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }
}
