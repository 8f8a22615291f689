package ae;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Run by PcaTest in a JVM of its own (OPENBLAS_CORETYPE is read once, when OpenBLAS loads): for the shapes where a
 * broken eigensolver shows (a 340 x 340 Gram matrix, as chapter 2's PCA of 340 horses x 1,024 pixels; a 300 x 300
 * covariance of 2,000 rows), whether LAPACK's eigenvectors are right, checked in plain Java without BLAS, and what
 * Pca.fit says. One line per shape: "rows cols independent-orthonormality independent-residual pca-verdict".
 */
public final class PcaProbe {

    public static void main(String[] args) {
        int[][] shapes = {{340, 1024}, {2000, 300}};
        if (args.length > 0) {   // other shapes, e.g. "150x4 2000x128"
            shapes = java.util.Arrays.stream(args).map(a -> java.util.Arrays.stream(a.split("x")).mapToInt(Integer::parseInt).toArray()).toArray(int[][]::new);
        }
        for (int[] shape : shapes) {
            int n = shape[0], d = shape[1], k = Math.min(10, Math.min(n, d));
            Nd4j.getRandom().setSeed(11);
            INDArray x = Nd4j.rand(DataType.DOUBLE, n, d);
            double[][] a = gramOrCovariance(x.toDoubleMatrix());
            int m = a.length;
            INDArray vectors = Nd4j.createFromArray(a);
            double[] values = Eigen.symmetricGeneralizedEigenvalues(vectors, true).toDoubleVector();
            double[][] v = vectors.toDoubleMatrix();
            double orthonormal = 0, residual = 0, largest = Math.abs(values[m - 1]);
            for (int i = m - k; i < m; i++) {
                for (int j = m - k; j < m; j++) {
                    double dot = 0;
                    for (int r = 0; r < m; r++) dot += v[r][i] * v[r][j];
                    orthonormal = Math.max(orthonormal, Math.abs(dot - (i == j ? 1 : 0)));
                }
                double norm = 0;
                for (int r = 0; r < m; r++) {
                    double av = 0;
                    for (int s = 0; s < m; s++) av += a[r][s] * v[s][i];
                    norm += (av - values[i] * v[r][i]) * (av - values[i] * v[r][i]);
                }
                residual = Math.max(residual, Math.sqrt(norm) / largest);
            }
            String verdict;
            try {
                Pca.fit(x, Math.min(150, d));
                verdict = "accepted";
            } catch (IllegalStateException e) {
                verdict = e.getMessage().contains("OPENBLAS_CORETYPE=Haswell") && e.getMessage().contains("make setup") ? "refused" : "refused-unclearly";
            }
            System.out.printf(Locale.ROOT, "%d %d %.3e %.3e %s%n", n, d, orthonormal, residual, verdict);
        }
    }

    /** The centred rows' C Cᵀ when there are fewer rows than columns, else Cᵀ C, in plain Java. */
    static double[][] gramOrCovariance(double[][] x) {
        int n = x.length, d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) for (int j = 0; j < d; j++) mean[j] += row[j] / n;
        double[][] c = new double[n][d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) c[i][j] = x[i][j] - mean[j];
        boolean gram = n < d;
        int m = gram ? n : d;
        double[][] a = new double[m][m];
        for (int p = 0; p < m; p++) {
            for (int q = p; q < m; q++) {
                double s = 0;
                if (gram) for (int j = 0; j < d; j++) s += c[p][j] * c[q][j];
                else for (int i = 0; i < n; i++) s += c[i][p] * c[i][q];
                a[p][q] = s;
                a[q][p] = s;
            }
        }
        return a;
    }
}
