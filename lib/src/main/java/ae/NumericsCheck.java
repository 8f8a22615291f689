package ae;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A numerical self-test of the native code paths the course relies on, run by {@code scripts/setup.sh} (and by the
 * kernel launcher on a CPU it has not seen) before any notebook trusts them.
 *
 * <p>ND4J 1.0.0-M2.1 hands its linear algebra to the OpenBLAS 0.3.19 it bundles, built for every x86 CPU at once;
 * OpenBLAS picks its kernels for the CPU it finds (or those named by {@code OPENBLAS_CORETYPE}). Some choices are
 * silently wrong: with the SkylakeX or Cooperlake kernels (Intel Xeons with AVX-512 pick them; an AMD Zen 5 does
 * too when told to) LAPACK's symmetric eigensolver returns eigenvectors that are not even orthonormal for matrices
 * of a few hundred rows and more, and chapter 2's PCA yardstick becomes nonsense. So this checks, with results it
 * can verify independently:
 * <ul>
 *   <li>{@code Eigen.symmetricGeneralizedEigenvalues} (LAPACK syev, the only LAPACK routine the course calls: the
 *       PCA of chapters 1 and 2 and {@code Codes.principalComponents}) at the sizes the course uses: 4 in float
 *       (chapter 1), 32 and 128 in double (code maps, LAPACK's unblocked path), 340 and 1024 in double (chapter 2:
 *       the fast run's 340 horses, the full run's 1024 pixels; the blocked path). The eigenvectors must be
 *       orthonormal and satisfy C v = λ v;</li>
 *   <li>matrix products (GEMM) and matrix-vector products (GEMV), float and double, transposed and not, through
 *       {@code INDArray.mmul} and through ND4J's BLAS wrapper, against the same products computed here in plain
 *       Java.</li>
 * </ul>
 * Run as a program it prints one line per check and a verdict, and exits with 0 (all pass), 1 (a check failed) or 2
 * (the check itself could not run):
 * <pre>
 *   java -cp "lib/target/ae-lib-*.jar:lib/target/kernel-lib/*" ae.NumericsCheck
 * </pre>
 * It runs in about a second after ND4J has loaded. It uses no other class of the helper jar.
 */
public final class NumericsCheck {

    /** Allowed errors: correct results are ~1e-15 (double) and ~1e-7 (float); the wrong ones seen were 0.07-0.8. */
    static final double DOUBLE_LIMIT = 1e-9, FLOAT_LIMIT = 2e-4;

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private NumericsCheck() {}

    /** One check: its name, the error measured, the largest error allowed, and the seconds it took. */
    public record Result(String name, double error, double limit, double seconds) {
        Result(String name, double error, double limit) {
            this(name, error, limit, 0);
        }

        Result took(double s) {
            return new Result(name, error, limit, s);
        }

        public boolean ok() {
            return error <= limit;   // false for NaN too
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-40s error %.1e (limit %.0e) %-5s %5.2f s", name, error, limit, ok() ? "ok" : "WRONG", seconds);
        }
    }

    /** Every check, in order. */
    public static List<Result> run() {
        List<Supplier<Result>> checks = new ArrayList<>();
        checks.add(() -> eigen(4, 150, DataType.FLOAT, 1));
        for (int n : new int[] {32, 128, 340, 1024}) checks.add(() -> eigen(n, n < 340 ? 4 * n : 340, DataType.DOUBLE, n));
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            checks.add(() -> gemm(type, 197, 613, 251, false, false, false));
            checks.add(() -> gemm(type, 197, 613, 251, true, false, false));
            checks.add(() -> gemm(type, 197, 613, 251, false, true, true));
            for (String variant : new String[] {"Ax", "xA", "blas"}) checks.add(() -> gemv(type, 301, 257, variant));
        }
        List<Result> results = new ArrayList<>();
        for (Supplier<Result> check : checks) {
            long start = System.nanoTime();
            Result r = check.get();
            results.add(r.took((System.nanoTime() - start) / 1e9));
        }
        return results;
    }

    /**
     * The covariance matrix (n x n) of {@code rows} random rows, decomposed by ND4J's symmetric eigensolver; the error
     * is the larger of max|VᵀV − I| and max|CV − VΛ| / max|λ|.
     */
    static Result eigen(int n, int rows, DataType type, long seed) {
        double[][] x = random(rows, n, seed);
        double[][] c = new double[n][n];
        double[] mean = new double[n];
        for (double[] row : x) for (int j = 0; j < n; j++) mean[j] += row[j] / rows;
        for (double[] row : x) {
            for (int i = 0; i < n; i++) {
                double a = row[i] - mean[i];
                for (int j = i; j < n; j++) c[i][j] += a * (row[j] - mean[j]);
            }
        }
        for (int i = 0; i < n; i++) for (int j = i; j < n; j++) c[j][i] = c[i][j] /= rows - 1;
        INDArray vectors = Nd4j.createFromArray(c).castTo(type);
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(vectors, true);   // vectors overwritten, one per column
        String name = String.format(Locale.ROOT, "eigenvectors, %s, n = %d", type == DataType.FLOAT ? "float" : "double", n);
        return new Result(name, decompositionError(c, toArray(vectors), values.toDoubleVector()), type == DataType.FLOAT ? FLOAT_LIMIT : DOUBLE_LIMIT);
    }

    /**
     * How far {@code vectors} (one eigenvector per column) and {@code values} are from an eigen decomposition of the
     * symmetric matrix {@code c}: the larger of max|VᵀV − I| and max|CV − VΛ| / max|λ|, computed in plain Java. Up
     * to 400 rows every eigenvector is checked; above, to keep it fast, the 160 with the largest eigenvalues (a PCA
     * keeps those) and every 8th of the others.
     */
    static double decompositionError(double[][] c, double[][] vectors, double[] values) {
        int n = c.length;
        if (vectors.length != n || values.length != n) return Double.NaN;
        double[][] vt = transpose(vectors);   // vt[k] = the k-th eigenvector
        double scale = 0, error = 0;
        for (double v : values) scale = Math.max(scale, Math.abs(v));
        if (!(scale > 0) || Double.isInfinite(scale)) return Double.NaN;
        int[] checked = java.util.stream.IntStream.range(0, n).filter(k -> n <= 400 || k % 8 == 0 || isTop(values, k, 160)).toArray();
        for (int a = 0; a < checked.length; a++) {
            int k = checked[a];
            for (int b = a; b < checked.length; b++) error = Math.max(error, Math.abs(dot(vt[k], vt[checked[b]]) - (a == b ? 1 : 0)));
            for (int i = 0; i < n; i++) error = Math.max(error, Math.abs(dot(c[i], vt[k]) - values[k] * vt[k][i]) / scale);
        }
        return Double.isNaN(error) ? Double.NaN : error;
    }

    /** Whether values[k] is among the {@code top} largest of values. */
    private static boolean isTop(double[] values, int k, int top) {
        int larger = 0;
        for (double v : values) if (v > values[k]) larger++;
        return larger < top;
    }

    /** op(A) op(B) through ND4J (mmul or its BLAS wrapper), against the product computed here: max relative error. */
    static Result gemm(DataType type, int m, int k, int n, boolean transposeA, boolean transposeB, boolean blas) {
        double[][] a = random(transposeA ? k : m, transposeA ? m : k, 7 + m), b = random(transposeB ? n : k, transposeB ? k : n, 11 + n);
        INDArray ia = Nd4j.createFromArray(a).castTo(type), ib = Nd4j.createFromArray(b).castTo(type);
        INDArray product;
        if (blas) {
            product = Nd4j.zeros(type, m, n);
            Nd4j.getBlasWrapper().level3().gemm(ia, ib, product, transposeA, transposeB, 1.0, 0.0);
        } else {
            product = (transposeA ? ia.transpose() : ia).mmul(transposeB ? ib.transpose() : ib);
        }
        double[][] expected = multiply(transposeA ? transpose(a) : a, transposeB ? transpose(b) : b);
        String name = String.format(Locale.ROOT, "%s %s, %s%s, %dx%dx%d", blas ? "BLAS gemm" : "mmul", type == DataType.FLOAT ? "float" : "double",
                transposeA ? "A^T" : "A", transposeB ? "B^T" : "B", m, k, n);
        return new Result(name, relativeError(expected, toArray(product.castTo(DataType.DOUBLE))), type == DataType.FLOAT ? FLOAT_LIMIT : DOUBLE_LIMIT);
    }

    /**
     * A matrix-vector product: A x through mmul ({@code "Ax"}), x^T A through mmul ({@code "xA"}: a row vector times
     * the matrix, the transposed product) or A x through ND4J's BLAS wrapper ({@code "blas"}).
     */
    static Result gemv(DataType type, int m, int n, String variant) {
        double[][] a = random(m, n, 13 + m);
        boolean rowVector = variant.equals("xA");
        double[][] x = random(rowVector ? 1 : n, rowVector ? m : 1, 17 + n);
        INDArray ia = Nd4j.createFromArray(a).castTo(type), ix = Nd4j.createFromArray(x).castTo(type);
        INDArray y;
        switch (variant) {
            case "Ax" -> y = ia.mmul(ix);
            case "xA" -> y = ix.mmul(ia);
            case "blas" -> {
                y = Nd4j.zeros(type, m, 1);
                Nd4j.getBlasWrapper().level2().gemv('c', 'N', 1.0, ia, ix, 0.0, y);
            }
            default -> throw new IllegalArgumentException("variant must be Ax, xA or blas, not " + variant);
        }
        double[][] expected = rowVector ? multiply(x, a) : multiply(a, x);
        String name = String.format(Locale.ROOT, "%s %s, %s, %dx%d", variant.equals("blas") ? "BLAS gemv" : "mmul (gemv)",
                type == DataType.FLOAT ? "float" : "double", rowVector ? "x^T A" : "Ax", m, n);
        return new Result(name, relativeError(expected, toArray(y.castTo(DataType.DOUBLE))), type == DataType.FLOAT ? FLOAT_LIMIT : DOUBLE_LIMIT);
    }

    /** max|got − expected| / max|expected|; NaN if the shapes differ or a value is not finite. */
    static double relativeError(double[][] expected, double[][] got) {
        if (expected.length != got.length) return Double.NaN;
        double scale = 0, error = 0;
        for (int i = 0; i < expected.length; i++) {
            if (expected[i].length != got[i].length) return Double.NaN;
            for (int j = 0; j < expected[i].length; j++) {
                scale = Math.max(scale, Math.abs(expected[i][j]));
                double d = Math.abs(got[i][j] - expected[i][j]);
                if (!Double.isFinite(got[i][j])) return Double.NaN;
                error = Math.max(error, d);
            }
        }
        return scale > 0 ? error / scale : Double.NaN;
    }

    private static double[][] random(int rows, int columns, long seed) {
        Random r = new Random(seed);
        double[][] x = new double[rows][columns];
        for (double[] row : x) for (int j = 0; j < columns; j++) row[j] = r.nextDouble() * 2 - 1;
        return x;
    }

    private static double[][] multiply(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int l = 0; l < b.length; l++) {
                double x = a[i][l];
                for (int j = 0; j < c[i].length; j++) c[i][j] += x * b[l][j];
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) for (int j = 0; j < a[i].length; j++) t[j][i] = a[i][j];
        return t;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }

    private static double[][] toArray(INDArray matrix) {
        return matrix.castTo(DataType.DOUBLE).toDoubleMatrix();
    }

    /**
     * Matrix-product speed through ND4J's BLAS wrapper: GFLOP/s of an n x n x n product in float and in double, the
     * best of {@code repeats}, per second of this thread's CPU time, so that other jobs on a shared machine hardly
     * change it. It counts one thread's work: run it with {@code OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1}.
     */
    public static double[] gflops(int n, int repeats) {
        double[] best = new double[2];
        DataType[] types = {DataType.FLOAT, DataType.DOUBLE};
        for (int t = 0; t < 2; t++) {
            INDArray a = Nd4j.rand(types[t], n, n), b = Nd4j.rand(types[t], n, n), c = Nd4j.zeros(types[t], n, n);
            for (int r = 0; r <= repeats; r++) {   // the first run warms up
                long start = THREADS.getCurrentThreadCpuTime();
                Nd4j.getBlasWrapper().level3().gemm(a, b, c, false, false, 1.0, 0.0);
                double seconds = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
                if (r > 0) best[t] = Math.max(best[t], 2.0 * n * n * n / seconds / 1e9);
            }
        }
        return best;
    }

    /**
     * Prints each check and the verdict; exit 0 when every check passes, 1 when one fails, 2 when they cannot run.
     * With {@code --gflops}, it then also prints the speed of a 1024 x 1024 matrix product ({@link #gflops}).
     */
    public static void main(String[] args) {
        // ND4J's start-up lines would only hide the verdict (the caller keeps standard error for real trouble).
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        boolean speed = List.of(args).contains("--gflops");
        if (!List.of(args).stream().allMatch("--gflops"::equals)) {
            System.out.println("usage: java -cp ... ae.NumericsCheck [--gflops]");
            System.exit(2);
        }
        long start = System.nanoTime();
        List<Result> results;
        try {
            results = run();
        } catch (RuntimeException | LinkageError e) {
            System.out.println("verdict: could not run the checks: " + e);
            System.exit(2);
            return;
        }
        results.forEach(System.out::println);
        long failed = results.stream().filter(r -> !r.ok()).count();
        Result worst = results.stream().filter(r -> !r.ok()).findFirst().orElse(null);
        System.out.printf(Locale.ROOT, "verdict: %s (%d checks in %.1f s)%n",
                failed == 0 ? "pass" : "FAIL: " + failed + " wrong, first " + worst.name() + String.format(Locale.ROOT, " (error %.2g)", worst.error()),
                results.size(), (System.nanoTime() - start) / 1e9);
        if (speed) {
            double[] g = gflops(1024, 5);
            System.out.printf(Locale.ROOT, "gflops: float %.1f, double %.1f (1024 x 1024 x 1024, best of 5, per second of this thread's CPU time)%n", g[0], g[1]);
        }
        System.exit(failed == 0 ? 0 : 1);
    }
}
