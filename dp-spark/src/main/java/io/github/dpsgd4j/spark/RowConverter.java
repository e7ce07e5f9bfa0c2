package io.github.dpsgd4j.spark;

import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serial;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Turns one partition of rows (features in column 0, label in column 1) into {@code DataSet}s of up to
 * {@link #CHUNK} examples each, lazily as the partition is read, one example per row in row order. Runs on
 * the executors; checks every value and throws an {@link IllegalArgumentException} that names the column,
 * the partition, the row (counted from 0 within the partition), the value and the fix. Holds column names,
 * kinds and sizes only.
 */
final class RowConverter implements Function2<Integer, Iterator<Row>, Iterator<DataSet>> {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Rows per DataSet handed on; the partition's DataSets are then merged into one block. */
    static final int CHUNK = 1024;
    /** Fewer rows per DataSet when the rows are so wide that a chunk would hold more values than this. */
    private static final int MAX_VALUES = 1 << 24;

    /** How a column's values are stored. */
    enum Kind { INTEGER, FLOATING, ARRAY, VECTOR }

    private final String featuresColumn;
    private final String labelColumn;
    private final Kind featureKind;
    private final Kind labelKind;
    private final boolean classIndex;
    private final long featureSize;
    private final long labelSize;
    private final DataType type;

    /**
     * @param featureSize values per example the model takes, or -1 if the model does not tell
     * @param labelSize   the classes of a class-index label, or the values per example of a values label
     *                    (-1 if the model does not tell)
     * @param type        the model's parameter type, which the examples are created in
     */
    RowConverter(RowColumns columns, Kind featureKind, Kind labelKind, boolean classIndex, long featureSize,
                 long labelSize, DataType type) {
        this.featuresColumn = columns.features();
        this.labelColumn = columns.label();
        this.featureKind = featureKind;
        this.labelKind = labelKind;
        this.classIndex = classIndex;
        this.featureSize = featureSize;
        this.labelSize = labelSize;
        this.type = type;
    }

    @Override
    public Iterator<DataSet> call(Integer partition, Iterator<Row> rows) {
        return new Iterator<>() {
            private long row;
            private int features = (int) featureSize;
            private int labels = (int) labelSize;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public DataSet next() {
                if (!rows.hasNext()) {
                    throw new NoSuchElementException();
                }
                double[] x = null;
                double[] y = null;
                int capacity = CHUNK;
                int n = 0;
                while (n < capacity && rows.hasNext()) {
                    Row r = rows.next();
                    notNull(r, 0, featuresColumn, partition);
                    notNull(r, 1, labelColumn, partition);
                    features = checkLength(featuresColumn, partition, length(featureKind, r, 0), features, featureSize,
                            "inputs");
                    if (!classIndex) {
                        labels = checkLength(labelColumn, partition, length(labelKind, r, 1), labels, labelSize,
                                "outputs");
                    }
                    if (x == null) { // both widths are known now
                        capacity = (int) Math.max(1, Math.min(CHUNK, MAX_VALUES / Math.max(1, Math.max(features, labels))));
                        x = new double[capacity * features];
                        y = new double[capacity * labels];
                    }
                    copy(featureKind, r, 0, featuresColumn, partition, x, n * features);
                    if (classIndex) {
                        y[n * labels + classOf(r.get(1), partition)] = 1;
                    } else {
                        copy(labelKind, r, 1, labelColumn, partition, y, n * labels);
                    }
                    n++;
                    row++;
                }
                return new DataSet(Nd4j.create(Arrays.copyOf(x, n * features), new long[] {n, features}, type),
                        Nd4j.create(Arrays.copyOf(y, n * labels), new long[] {n, labels}, type));
            }

            /** The row's length against the model's size (if known), else against the partition's first row. */
            private int checkLength(String column, int partition, int length, int expected, long modelSize,
                                    String what) {
                if (expected < 0) {
                    return length;
                }
                if (length != expected) {
                    throw new IllegalArgumentException("column '" + column + "' has " + length + " values in partition "
                            + partition + ", row " + row + ", but " + (modelSize >= 0 ? "the model has " + modelSize
                            + " " + what + ": give every row " + modelSize + " values, or build the model for "
                            + length : "the partition's first row has " + expected + ": give every row the same "
                            + "number of values"));
                }
                return expected;
            }

            private int classOf(Object value, int partition) {
                double number = ((Number) value).doubleValue();
                boolean whole = labelKind == Kind.INTEGER || (Double.isFinite(number) && number == Math.rint(number));
                if (!whole) {
                    throw new IllegalArgumentException("column '" + labelColumn + "' holds " + value
                            + " in partition " + partition + ", row " + row + ", which is not a class index: class "
                            + "labels must be whole numbers in [0, " + labelSize + "); for real-valued targets use "
                            + "LabelEncoding.VALUES");
                }
                long index = labelKind == Kind.INTEGER ? ((Number) value).longValue() : (long) number;
                if (index < 0 || index >= labelSize) {
                    throw new IllegalArgumentException("column '" + labelColumn + "' holds class " + value
                            + " in partition " + partition + ", row " + row + ", outside [0, " + labelSize + "): "
                            + "index the classes from 0 (e.g. with StringIndexer), or give a model (and "
                            + "RowColumns.withClasses) with more classes");
                }
                return (int) index;
            }

            private void notNull(Row r, int index, String column, int partition) {
                if (r.isNullAt(index)) {
                    throw new IllegalArgumentException("column '" + column + "' is null in partition " + partition
                            + ", row " + row + ": every row needs features and a label; drop or fill such rows first "
                            + "(e.g. rows.na().drop())");
                }
            }

            /** Writes the array, vector or number in column {@code index} of {@code r} to {@code into[offset...]}. */
            private void copy(Kind kind, Row r, int index, String column, int partition, double[] into, int offset) {
                switch (kind) {
                    case VECTOR -> MlVectors.copy(r.get(index), into, offset);
                    case ARRAY -> {
                        List<Object> values = r.getList(index);
                        for (int i = 0; i < values.size(); i++) {
                            Object v = values.get(i);
                            if (v == null) {
                                throw new IllegalArgumentException("column '" + column + "' has a null at index " + i
                                        + " in partition " + partition + ", row " + row + ": fill or drop such rows "
                                        + "first");
                            }
                            into[offset + i] = ((Number) v).doubleValue();
                        }
                    }
                    default -> into[offset] = ((Number) r.get(index)).doubleValue();
                }
            }
        };
    }

    /** The number of values in column {@code index} of {@code r}: 1 for a number. */
    private static int length(Kind kind, Row r, int index) {
        return switch (kind) {
            case VECTOR -> MlVectors.size(r.get(index));
            case ARRAY -> r.getList(index).size();
            default -> 1;
        };
    }
}
