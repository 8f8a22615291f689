package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/** The one PCA: right answers on data whose components are known, and its self-check refusing wrong eigenvectors. */
class PcaTest {

    /** n rows with variance 9, 4, 1 and 0.01 (noise) along the axes of a random rotation of 4-D space. */
    static INDArray known(int n, INDArray rotation) {
        Nd4j.getRandom().setSeed(1);
        INDArray z = Nd4j.randn(DataType.DOUBLE, n, 4).mulRowVector(Nd4j.createFromArray(3.0, 2.0, 1.0, 0.1));
        return z.mmul(rotation.transpose()).addRowVector(Nd4j.createFromArray(5.0, -1.0, 0.5, 2.0));
    }

    static INDArray rotation() {
        Nd4j.getRandom().setSeed(2);
        INDArray q = Nd4j.randn(DataType.DOUBLE, 4, 4);
        // Gram-Schmidt, in plain loops: an orthonormal basis that does not come from the code under test
        double[][] v = q.toDoubleMatrix();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < i; j++) {
                double dot = 0;
                for (int r = 0; r < 4; r++) dot += v[r][i] * v[r][j];
                for (int r = 0; r < 4; r++) v[r][i] -= dot * v[r][j];
            }
            double norm = 0;
            for (int r = 0; r < 4; r++) norm += v[r][i] * v[r][i];
            for (int r = 0; r < 4; r++) v[r][i] /= Math.sqrt(norm);
        }
        return Nd4j.createFromArray(v);
    }

    @Test
    void findsTheDirectionsOfLargestVarianceInOrder() {
        INDArray axes = rotation(), x = known(20_000, axes);
        Pca pca = Pca.fit(x.castTo(DataType.FLOAT), 2);
        assertEquals(2, pca.size());
        for (int i = 0; i < 2; i++) {
            double cosine = Math.abs(pca.directions().getColumn(i).mul(axes.getColumn(i)).sumNumber().doubleValue());
            assertEquals(1, cosine, 1e-3, "direction " + i + " is axis " + i + " (up to its sign)");
        }
        assertEquals(9, pca.variances()[0], 0.3);
        assertEquals(4, pca.variances()[1], 0.15);
        double[] share = pca.explained();
        assertEquals(9 / 14.01, share[0], 0.01);
        assertEquals(4 / 14.01, share[1], 0.01);
        // the rows rebuilt from two numbers miss the last two variances: (1 + 0.01) / 4 per value, far below the mean's
        assertEquals(1.01 / 4, pca.trainingMse(), 0.02);
        assertEquals(14.01 / 4, pca.meanMse(), 0.15);
        INDArray some = x.getRows(0, 1, 2).castTo(DataType.FLOAT);
        assertEquals(DataType.FLOAT, pca.reconstruct(some).dataType());
        assertArrayEquals(new long[] {3, 2}, pca.project(some).shape());
        assertEquals(pca.trainingMse(), Quality.mse(x, pca.reconstruct(x)), 1e-9, "trainingMse is the reconstruction's MSE");
    }

    @Test
    void allDirectionsRebuildTheRowsExactly() {
        INDArray x = known(50, rotation());
        Pca pca = Pca.fit(x, 4);
        assertTrue(pca.reconstruct(x).equalsWithEps(x, 1e-10));
        assertEquals(0, pca.trainingMse(), 1e-20);
        assertEquals(1, java.util.Arrays.stream(pca.explained()).sum(), 1e-12);
    }

    /** Fewer rows than columns: the rows × rows matrix gives what the covariance would (its discarded eigenvalues). */
    @Test
    void fewRowsGoThroughTheirSmallerMatrixWithTheSameResult() {
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 30, 45);
        Pca pca = Pca.fit(x, 12);
        INDArray c = x.subRowVector(x.mean(0));
        INDArray covariance = c.transpose().mmul(c);
        double[] all = Eigen.symmetricGeneralizedEigenvalues(covariance.dup(), true).toDoubleVector();   // 45, ascending
        double kept = 0, total = 0;
        for (int i = 0; i < all.length; i++) {
            total += all[i];
            if (i >= all.length - 12) kept += all[i];
        }
        assertEquals((total - kept) / (30 * 45), pca.trainingMse(), 1e-12);
        assertEquals(all[all.length - 1] / 29, pca.variances()[0], 1e-10);
        assertEquals(29, Pca.fit(x, 40).size(), "30 rows span at most 29 directions");
        INDArray twice = Nd4j.vstack(x.getRows(0, 1, 2), x.getRows(0, 1, 2));   // 6 rows, 3 distinct: 2 directions
        assertEquals(2, Pca.fit(twice, 5).size());
    }

    @Test
    void badInputIsRefusedClearly() {
        var e = assertThrows(IllegalArgumentException.class, () -> Pca.fit(Nd4j.rand(DataType.DOUBLE, 1, 5), 1));
        assertTrue(e.getMessage().contains("two samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Pca.fit(Nd4j.rand(DataType.DOUBLE, 9, 5), 6));
        assertTrue(e.getMessage().contains("between 1 and 5"), e.getMessage());
        Pca pca = Pca.fit(Nd4j.rand(DataType.DOUBLE, 9, 5), 2);
        e = assertThrows(IllegalArgumentException.class, () -> pca.project(Nd4j.rand(DataType.DOUBLE, 2, 4)));
        assertTrue(e.getMessage().contains("rows of 5 numbers"), e.getMessage());
    }

    /** The check on an injected wrong result: a rotated basis (orthonormal, but not eigenvectors) and a skewed one. */
    @Test
    void theCheckRefusesWrongEigenvectorsAndSaysWhatToDo() {
        INDArray x = known(500, rotation());
        INDArray c = x.subRowVector(x.mean(0)), a = c.transpose().mmul(c);
        INDArray vectors = a.dup();
        double[] values = Eigen.symmetricGeneralizedEigenvalues(vectors, true).toDoubleVector();
        Pca.verify(a, vectors, values);   // the right ones pass

        double t = 0.05;   // turn the two largest eigenvectors into each other a little: still orthonormal, no longer eigenvectors
        INDArray turned = vectors.dup();
        turned.putColumn(3, vectors.getColumn(3).mul(Math.cos(t)).add(vectors.getColumn(2).mul(Math.sin(t))));
        turned.putColumn(2, vectors.getColumn(2).mul(Math.cos(t)).sub(vectors.getColumn(3).mul(Math.sin(t))));
        var e = assertThrows(IllegalStateException.class, () -> Pca.verify(a, turned, values));
        String m = e.getMessage();
        assertTrue(m.contains("|A v - λ v|") && m.contains("OPENBLAS_CORETYPE=Haswell") && m.contains("make setup")
                && m.contains("OpenBLAS"), m);

        INDArray skewed = vectors.dup();
        skewed.putColumn(0, vectors.getColumn(0).add(vectors.getColumn(1).mul(1e-4)));
        e = assertThrows(IllegalStateException.class, () -> Pca.verify(a, skewed, values));
        assertTrue(e.getMessage().contains("|VᵀV - I| reaches 1.0e-04"), e.getMessage());
    }

    /**
     * The check in the real world: a JVM of its own per OpenBLAS core type (OpenBLAS reads OPENBLAS_CORETYPE once,
     * when it loads) runs PcaProbe, which checks LAPACK's eigenvectors in plain Java and asks Pca.fit. The two
     * verdicts must agree: Pca accepts exactly the right results and refuses, with the fix, exactly the wrong ones. On
     * an AVX-512 CPU the SkylakeX kernels return wrong eigenvectors for matrices of 300 and more (measured on the
     * course's AMD EPYC and on an Intel Xeon); elsewhere they cannot run, and only the other core types are tried.
     */
    @Test
    void inAJvmOfItsOwnPerCoreTypeTheCheckAgreesWithAnIndependentOne() throws Exception {
        List<String> coreTypes = new ArrayList<>(List.of("", "Haswell"));   // "": OpenBLAS's own choice
        boolean avx512 = Files.isReadable(Path.of("/proc/cpuinfo")) && Files.readString(Path.of("/proc/cpuinfo")).contains(" avx512f");
        if (avx512) coreTypes.add("SKYLAKEX");
        List<String> seen = new ArrayList<>();
        for (String coreType : coreTypes) {
            for (String line : probe(coreType)) {
                String[] f = line.trim().split(" ");
                double orthonormal = Double.parseDouble(f[2]), residual = Double.parseDouble(f[3]);
                boolean right = orthonormal < 1e-9 && residual < 1e-9;
                boolean wrong = orthonormal > 1e-3 || residual > 1e-3;
                assertTrue(right || wrong, "neither clearly right nor clearly wrong: " + line);
                assertEquals(right ? "accepted" : "refused", f[4], (coreType.isEmpty() ? "default" : coreType) + ": " + line);
                seen.add((coreType.isEmpty() ? "default" : coreType) + " " + f[0] + "x" + f[1] + " " + f[4]);
            }
        }
        System.out.println("PCA check per OpenBLAS core type: " + seen);
        if (avx512) {
            assertTrue(seen.stream().anyMatch(s -> s.startsWith("SKYLAKEX") && s.endsWith("refused")),
                    "on this AVX-512 CPU the SkylakeX kernels gave right eigenvectors: the refusal was not exercised " + seen);
        }
    }

    /** PcaProbe's lines, in a JVM with OPENBLAS_CORETYPE set to {@code coreType} (unset when empty). */
    static List<String> probe(String coreType) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        String extension = System.getProperty("org.bytedeco.javacpp.platform.extension");
        if (extension != null) command.add("-Dorg.bytedeco.javacpp.platform.extension=" + extension);
        command.add(PcaProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(false);
        Map<String, String> env = pb.environment();
        if (coreType.isEmpty()) env.remove("OPENBLAS_CORETYPE");
        else env.put("OPENBLAS_CORETYPE", coreType);
        Process p = pb.start();
        p.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, p.exitValue(), "the probe failed (OPENBLAS_CORETYPE=" + coreType + "):\n" + out);
        List<String> lines = out.lines().filter(l -> l.matches("\\d+ \\d+ .*")).toList();
        assertEquals(2, lines.size(), out);
        return lines;
    }
}
