package io.github.dpsgd4j.examples.audit;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads labelled examples from a CSV file for {@code dpsgd4j audit --members/--non-members}:
 * one example per line, the feature values (as the model expects them; for images, pixels in
 * [0, 1] row-major) separated by commas, and the class index (an integer from 0) as the LAST
 * column. Blank lines and lines starting with '#' are skipped; a first line that does not parse
 * as numbers is taken as a header. Stateless and thread-safe.
 */
public final class CsvExamples {

    private CsvExamples() {
    }

    /** Quick validation without ND4J: the file exists and its first data line has >= 2 numeric columns. */
    public static void check(String option, Path file) {
        Checks.notNull(option, file);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        }
    }

    /**
     * Reads the file.
     *
     * @param option     the command-line option (for messages)
     * @param file       the CSV file
     * @param numClasses K; every label must be in [0, K)
     * @return features [n, d] (float) and one-hot labels [n, K]
     * @throws IllegalArgumentException naming the file, line and problem
     */
    public static DataSet read(String option, Path file, int numClasses) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException ex) {
            throw new IllegalArgumentException(option + " " + file + ": no such file");
        } catch (IOException ex) {
            throw new IllegalArgumentException(option + " " + file + ": cannot read it (" + ex.getMessage() + ")");
        }
        List<float[]> features = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int width = -1;
        for (int ln = 0; ln < lines.size(); ln++) {
            String line = lines.get(ln).trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split(",");
            float[] row = new float[fields.length - 1];
            int label;
            try {
                for (int j = 0; j < row.length; j++) {
                    row[j] = Float.parseFloat(fields[j].trim());
                }
                label = Integer.parseInt(fields[fields.length - 1].trim());
            } catch (NumberFormatException ex) {
                if (features.isEmpty() && width < 0) {
                    width = -2; // a header line
                    continue;
                }
                throw new IllegalArgumentException(option + " " + file + " line " + (ln + 1)
                        + ": expected numbers with an integer class last, got '" + abbreviate(line) + "'");
            }
            if (row.length == 0) {
                throw new IllegalArgumentException(option + " " + file + " line " + (ln + 1)
                        + ": needs at least one feature and the class");
            }
            if (!features.isEmpty() && row.length != features.get(0).length) {
                throw new IllegalArgumentException(option + " " + file + " line " + (ln + 1) + ": " + row.length
                        + " features, but earlier lines have " + features.get(0).length);
            }
            if (label < 0 || label >= numClasses) {
                throw new IllegalArgumentException(option + " " + file + " line " + (ln + 1) + ": class must be in [0, "
                        + numClasses + "), got " + label);
            }
            features.add(row);
            labels.add(label);
        }
        if (features.size() < 2) {
            throw new IllegalArgumentException(option + " " + file + ": needs at least 2 examples, got "
                    + features.size());
        }
        int n = features.size();
        int d = features.get(0).length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(features.get(i), 0, flat, i * d, d);
        }
        INDArray x = Nd4j.createFromArray(flat).reshape(n, d);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, numClasses);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, labels.get(i), 1f);
        }
        return new DataSet(x, y);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
