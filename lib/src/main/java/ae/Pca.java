package ae;

import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Principal component analysis, the course's one PCA: the directions in which the rows of a matrix (one sample per
 * row) vary most, i.e. the eigenvectors of their covariance matrix with the largest eigenvalues.
 *
 * <pre>
 *   Pca pca = Pca.fit(xTrain, 150);                 // 150 directions, fit on the training rows
 *   INDArray codes = pca.project(xTest);            // 150 numbers per test row
 *   INDArray rebuilt = pca.reconstruct(xTest);      // projected onto the directions and back: the best linear code
 * </pre>
 *
 * <p>It computes in double precision, with ND4J's symmetric eigensolver (LAPACK in the OpenBLAS library ND4J bundles).
 * With fewer rows than columns it decomposes the smaller rows × rows matrix C Cᵀ of the centred rows C instead of the
 * covariance Cᵀ C, which has the same non-zero eigenvalues; n rows span at most n − 1 directions, so {@code k} is
 * capped there.
 *
 * <p><b>It checks its own result.</b> On some CPUs the bundled OpenBLAS picks kernels whose eigensolver returns wrong
 * eigenvectors without a word (AVX-512 machines with the SkylakeX or Cooperlake kernels; OpenBLAS issues 2986 and
 * 3454): a PCA from those is worse than predicting the mean. So {@link #fit} verifies what LAPACK returned (the
 * directions orthonormal, each one an eigenvector: ‖A v − λ v‖ small next to the largest eigenvalue) and that the
 * training rows come back at least as well as the mean rebuilds them, and stops with an error that names the likely
 * cause and the fix ({@code OPENBLAS_CORETYPE=Haswell}) instead of returning nonsense.
 */
public final class Pca {

    /**
     * The largest error the check accepts, in both measures (the largest entry of |VᵀV − I|; the largest |A v − λ v|
     * over the largest eigenvalue). Measured on the reference machine (AMD EPYC, AVX-512), double precision, the
     * course's shapes (150 × 4 to 2,000 × 128 and 340 × 3,072): correct results 6e-16 to 1e-14 (OpenBLAS's own choice
     * and OPENBLAS_CORETYPE=Haswell), wrong ones 0.2 to 3.7 (the SkylakeX and Cooperlake kernels forced on it, 300
     * columns or rows and more; PcaTest and PcaProbe, and chapter 2's horses in the notebook kernel). 1e-9 is five
     * orders of magnitude from either.
     */
    static final double TOLERANCE = 1e-9;

    private final INDArray mean, directions;
    private final double[] variances;
    private final double totalVariance, trainingMse, meanMse;

    private Pca(INDArray mean, INDArray directions, double[] variances, double totalVariance, double trainingMse, double meanMse) {
        this.mean = mean;
        this.directions = directions;
        this.variances = variances;
        this.totalVariance = totalVariance;
        this.trainingMse = trainingMse;
        this.meanMse = meanMse;
    }

    /**
     * The first {@code k} principal components of the rows of {@code x} (at most rows − 1 of them), checked (see the
     * class comment).
     *
     * @throws IllegalStateException when the eigen decomposition or the reconstruction of the rows is wrong
     */
    public static Pca fit(INDArray x, int k) {
        if (x.rank() != 2 || x.rows() < 2) {
            throw new IllegalArgumentException("PCA needs at least two samples as rows of a matrix, got shape " + Arrays.toString(x.shape()));
        }
        if (k < 1 || k > x.columns()) throw new IllegalArgumentException("k must be between 1 and " + x.columns() + ", not " + k);
        int n = (int) x.rows(), d = (int) x.columns();
        k = Math.min(k, n - 1);
        INDArray mean = x.castTo(DataType.DOUBLE).mean(0).reshape(1, d);
        INDArray c = x.castTo(DataType.DOUBLE).subRowVector(mean);
        boolean fewRows = n < d;
        INDArray a = fewRows ? c.mmul(c.transpose()) : c.transpose().mmul(c);   // n x n or d x d, symmetric
        INDArray vectors = a.dup();                                              // overwritten with the eigenvectors
        double[] values = Eigen.symmetricGeneralizedEigenvalues(vectors, true).toDoubleVector();   // ascending
        final int m = values.length;
        if (fewRows) {   // the rows may span fewer directions still (repeated rows): only those with variance can be mapped back
            int spanned = (int) Arrays.stream(values).filter(l -> l > values[m - 1] * 1e-12).count();
            k = Math.max(1, Math.min(k, spanned));
        }
        int[] top = new int[k];
        for (int i = 0; i < k; i++) top[i] = m - 1 - i;   // the largest first
        INDArray u = vectors.getColumns(top);
        double[] lambda = Arrays.stream(top).mapToDouble(i -> values[i]).toArray();
        verify(a, u, lambda);

        INDArray v = u;
        if (fewRows) {   // an eigenvector u of C Cᵀ gives Cᵀ u / |Cᵀ u|, the eigenvector of Cᵀ C with the same eigenvalue
            v = c.transpose().mmul(u);
            v.diviRowVector(v.norm2(0));
            double orthonormal = orthonormality(v);
            if (!(orthonormal <= TOLERANCE)) throw wrong(orthonormal, 0, "the directions made from the rows × rows matrix");
        }
        double total = c.norm2Number().doubleValue();
        total *= total;
        double residual = c.sub(c.mmul(v).mmul(v.transpose())).norm2Number().doubleValue();
        double trainingMse = residual * residual / ((double) n * d), meanMse = total / ((double) n * d);
        if (!(trainingMse <= meanMse * (1 + 1e-9))) {
            throw new IllegalStateException(String.format(Locale.ROOT, "PCA rebuilds its own training rows worse (MSE %.6g) than their"
                    + " mean does (MSE %.6g), which a correct PCA never does. %s", trainingMse, meanMse, CAUSE_AND_FIX));
        }
        double[] variance = Arrays.stream(lambda).map(l -> Math.max(0, l) / (n - 1)).toArray();
        return new Pca(mean, v, variance, total / (n - 1), trainingMse, meanMse);
    }

    /**
     * Whether {@code vectors} (columns) are orthonormal eigenvectors of the symmetric matrix {@code a} with the
     * eigenvalues {@code values}: both errors at most {@link #TOLERANCE}, else the error that says what to do.
     */
    static void verify(INDArray a, INDArray vectors, double[] values) {
        double orthonormal = orthonormality(vectors);
        double largest = Arrays.stream(values).map(Math::abs).max().orElse(0);
        INDArray residual = a.mmul(vectors).subi(vectors.mulRowVector(Nd4j.createFromArray(values).reshape(1, values.length)));
        double worst = residual.norm2(0).maxNumber().doubleValue() / (largest > 0 ? largest : 1);
        if (!(orthonormal <= TOLERANCE && worst <= TOLERANCE)) throw wrong(orthonormal, worst, "the eigenvectors LAPACK returned");
    }

    /** The largest entry of |VᵀV − I|. */
    static double orthonormality(INDArray v) {
        return Math.abs(v.transpose().mmul(v).subi(Nd4j.eye(v.columns()).castTo(v.dataType())).amaxNumber().doubleValue());
    }

    static final String CAUSE_AND_FIX = "The likely cause: the OpenBLAS library that ND4J bundles (0.3.19) picked kernels for this"
            + " CPU whose symmetric eigensolver is broken (" + coreType() + "; known for the SkylakeX and Cooperlake kernels on"
            + " AVX-512 CPUs, OpenBLAS issues 2986 and 3454). The fix: start Java with OPENBLAS_CORETYPE=Haswell in its"
            + " environment (e.g. OPENBLAS_CORETYPE=Haswell make lab); make setup pins a core type that passes its self-test in"
            + " the notebook kernel's environment.";

    private static String coreType() {
        String set = System.getenv("OPENBLAS_CORETYPE");
        return set == null ? "OPENBLAS_CORETYPE is not set, so OpenBLAS chose by itself"
                : "OPENBLAS_CORETYPE is '" + set + "'" + (set.isBlank() ? ", which OpenBLAS does not take as a choice" : "");
    }

    private static IllegalStateException wrong(double orthonormal, double residual, String what) {
        return new IllegalStateException(String.format(Locale.ROOT, "PCA: %s are wrong: |VᵀV - I| reaches %.1e and |A v - λ v| %.1e of the"
                + " largest eigenvalue (a correct result is below 1e-13; the check allows %.0e), so the principal components would be"
                + " nonsense. %s", what, orthonormal, residual, TOLERANCE, CAUSE_AND_FIX));
    }

    /** How many directions it keeps. */
    public int size() {
        return (int) directions.columns();
    }

    /** The directions as columns [columns of x, k], orthonormal, the largest variance first. */
    INDArray directions() {
        return directions;
    }

    /** The variance of the rows along each direction (the eigenvalues of the covariance matrix, divided by n − 1). */
    double[] variances() {
        return variances.clone();
    }

    /** The share of all the variance each direction keeps. */
    public double[] explained() {
        return Arrays.stream(variances).map(v -> totalVariance > 0 ? v / totalVariance : 0).toArray();
    }

    /** The mean squared error of rebuilding the rows it was fit on: at most {@link #meanMse()} (checked). */
    double trainingMse() {
        return trainingMse;
    }

    /** The mean squared error of predicting the mean row for every row it was fit on. */
    double meanMse() {
        return meanMse;
    }

    /** The rows of {@code x} as their coordinates along the directions: [rows, k], in x's data type. */
    public INDArray project(INDArray x) {
        INDArray c = centred(x), codes = c.mmul(directions);
        c.close();
        if (codes.dataType() == x.dataType()) return codes;
        INDArray out = codes.castTo(x.dataType());
        codes.close();
        return out;
    }

    /** The rows of {@code x} projected onto the directions and back: the best linear code of k numbers per row. */
    public INDArray reconstruct(INDArray x) {
        // each temporary freed as soon as it is used (10,000 images in double are 63 MB each)
        INDArray c = centred(x), codes = c.mmul(directions);
        c.close();
        INDArray back = codes.mmul(directions.transpose()).addiRowVector(mean);
        codes.close();
        if (back.dataType() == x.dataType()) return back;
        INDArray out = back.castTo(x.dataType());
        back.close();
        return out;
    }

    private INDArray centred(INDArray x) {
        if (x.rank() != 2 || x.columns() != mean.columns()) {
            throw new IllegalArgumentException("rows of " + mean.columns() + " numbers expected, like the ones the PCA was fit on, not shape "
                    + Arrays.toString(x.shape()));
        }
        INDArray d = x.castTo(DataType.DOUBLE);
        return d == x ? d.subRowVector(mean) : d.subiRowVector(mean);   // a copy of x either way, never x itself
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "PCA with %d of %d directions, keeping %.1f%% of the variance", size(), mean.columns(),
                100 * Arrays.stream(explained()).sum());
    }
}
