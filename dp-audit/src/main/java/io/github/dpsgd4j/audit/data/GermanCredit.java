package io.github.dpsgd4j.audit.data;

import io.github.dpsgd4j.common.Checks;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bundled Statlog German Credit data (1,000 applicants, 20 attributes, class good/bad; UCI,
 * CC BY 4.0; see {@code credit-g-ATTRIBUTION.txt}), read from its ARFF file.
 *
 * <p>Encoding for models: each nominal attribute is one-hot, each numeric attribute is scaled to
 * [0, 1] by its minimum and maximum in the file (a fixed, public transformation of the bundled
 * file). The class is the label: 0 = good, 1 = bad. Immutable and thread-safe.
 */
public final class GermanCredit {

    private static final String RESOURCE = "credit-g.arff";
    /** The class attribute's name. */
    public static final String CLASS_ATTRIBUTE = "class";

    private final List<String> names;
    /** Allowed values per nominal attribute, null for numeric ones. */
    private final List<String[]> nominalValues;
    /** Raw values per row: the value index for nominal attributes, the number for numeric ones. */
    private final double[][] rows;
    private final double[] min;
    private final double[] max;
    private final int[] offset;
    private final int features;
    private final int classIndex;

    private GermanCredit(List<String> names, List<String[]> nominalValues, double[][] rows) {
        this.names = List.copyOf(names);
        this.nominalValues = nominalValues;
        this.rows = rows;
        this.classIndex = names.indexOf(CLASS_ATTRIBUTE);
        if (classIndex < 0) {
            throw new IllegalStateException("credit-g.arff has no attribute '" + CLASS_ATTRIBUTE + "'");
        }
        int a = names.size();
        this.min = new double[a];
        this.max = new double[a];
        this.offset = new int[a];
        int f = 0;
        for (int j = 0; j < a; j++) {
            if (j == classIndex) {
                offset[j] = -1;
                continue;
            }
            offset[j] = f;
            if (nominalValues.get(j) != null) {
                f += nominalValues.get(j).length;
            } else {
                min[j] = Double.POSITIVE_INFINITY;
                max[j] = Double.NEGATIVE_INFINITY;
                for (double[] row : rows) {
                    min[j] = Math.min(min[j], row[j]);
                    max[j] = Math.max(max[j], row[j]);
                }
                f++;
            }
        }
        this.features = f;
    }

    /** Reads the bundled file. */
    public static GermanCredit load() {
        try (InputStream raw = GermanCredit.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new IllegalStateException("bundled resource " + RESOURCE + " is missing from the classpath");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(raw, StandardCharsets.UTF_8));
            List<String> names = new ArrayList<>();
            List<String[]> values = new ArrayList<>();
            List<double[]> data = new ArrayList<>();
            boolean inData = false;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                String t = line.trim();
                if (t.isEmpty() || t.startsWith("%")) {
                    continue;
                }
                String lower = t.toLowerCase(java.util.Locale.ROOT);
                if (lower.startsWith("@attribute")) {
                    String rest = t.substring("@attribute".length()).trim();
                    int space = rest.indexOf(' ');
                    names.add(unquote(rest.substring(0, space)));
                    String type = rest.substring(space).trim();
                    if (type.startsWith("{")) {
                        List<String> v = splitFields(type.substring(1, type.lastIndexOf('}')));
                        values.add(v.toArray(new String[0]));
                    } else {
                        values.add(null);
                    }
                } else if (lower.startsWith("@data")) {
                    inData = true;
                } else if (inData) {
                    List<String> fields = splitFields(t);
                    if (fields.size() != names.size()) {
                        throw new IllegalStateException("credit-g.arff data line " + (data.size() + 1) + " has "
                                + fields.size() + " fields, expected " + names.size());
                    }
                    double[] row = new double[names.size()];
                    for (int j = 0; j < row.length; j++) {
                        String[] allowed = values.get(j);
                        if (allowed == null) {
                            row[j] = Double.parseDouble(fields.get(j));
                        } else {
                            row[j] = Arrays.asList(allowed).indexOf(fields.get(j));
                            if (row[j] < 0) {
                                throw new IllegalStateException("credit-g.arff data line " + (data.size() + 1)
                                        + ": value '" + fields.get(j) + "' is not declared for " + names.get(j));
                            }
                        }
                    }
                    data.add(row);
                }
            }
            return new GermanCredit(names, values, data.toArray(new double[0][]));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled " + RESOURCE, e);
        }
    }

    private static String unquote(String s) {
        String t = s.trim();
        if (t.length() >= 2 && t.startsWith("'") && t.endsWith("'")) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    private static List<String> splitFields(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\'') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                out.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(ch);
            }
        }
        out.add(current.toString().trim());
        return out;
    }

    /** Number of applicants (1,000). */
    public int size() {
        return rows.length;
    }

    /** Attribute names in file order, the class last. */
    public List<String> attributes() {
        return names;
    }

    /** Width of the encoded feature vector (one-hot nominal, scaled numeric; the class excluded). */
    public int featureCount() {
        return features;
    }

    /** The declared values of a nominal attribute (a copy). */
    public String[] values(String attribute) {
        String[] v = nominalValues.get(index(attribute));
        if (v == null) {
            throw new IllegalArgumentException("attribute must be nominal, got numeric '" + attribute + "'");
        }
        return v.clone();
    }

    /** The value index of nominal {@code attribute} for applicant {@code row}. */
    public int value(int row, String attribute) {
        values(attribute);
        return (int) rows[row][index(attribute)];
    }

    /** The class of applicant {@code row}: 0 = good, 1 = bad. */
    public int label(int row) {
        return (int) rows[row][classIndex];
    }

    /** Encoded features of applicant {@code row}. */
    public double[] encode(int row) {
        return encode(row, -1, 0);
    }

    /**
     * Encoded features of applicant {@code row} with nominal {@code attribute} replaced by value
     * index {@code value} (the candidate an attribute-inference attacker tries).
     */
    public double[] encodeWith(int row, String attribute, int value) {
        int a = index(attribute);
        String[] v = nominalValues.get(a);
        if (v == null || value < 0 || value >= v.length) {
            throw new IllegalArgumentException("value must index a declared value of nominal '" + attribute + "', got "
                    + value);
        }
        return encode(row, a, value);
    }

    private double[] encode(int row, int replaced, int replacement) {
        double[] out = new double[features];
        for (int j = 0; j < names.size(); j++) {
            if (j == classIndex) {
                continue;
            }
            double raw = j == replaced ? replacement : rows[row][j];
            if (nominalValues.get(j) != null) {
                out[offset[j] + (int) raw] = 1;
            } else {
                out[offset[j]] = max[j] > min[j] ? (raw - min[j]) / (max[j] - min[j]) : 0;
            }
        }
        return out;
    }

    /** Features [n, featureCount] and one-hot labels [n, 2] of {@code indices}. Not modified. */
    public DataSet subset(int[] indices) {
        Checks.notNull("indices", indices);
        INDArray x = Nd4j.create(DataType.FLOAT, indices.length, features);
        INDArray y = Nd4j.zeros(DataType.FLOAT, indices.length, 2);
        for (int r = 0; r < indices.length; r++) {
            double[] f = encode(indices[r]);
            for (int j = 0; j < features; j++) {
                x.putScalar(r, j, f[j]);
            }
            y.putScalar(r, label(indices[r]), 1);
        }
        return new DataSet(x, y);
    }

    private int index(String attribute) {
        Checks.notNull("attribute", attribute);
        int i = names.indexOf(attribute);
        if (i < 0 || i == classIndex) {
            throw new IllegalArgumentException("attribute must be one of " + names.subList(0, names.size() - 1)
                    + ", got '" + attribute + "'");
        }
        return i;
    }
}
