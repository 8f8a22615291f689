package ae.show;

import static org.junit.jupiter.api.Assertions.*;

import ae.JupyterKernel;
import ae.RecordingKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LossChartTest {

    @AfterEach
    void restore() {
        JupyterKernel.use(null);
    }

    @Test
    void aLiveChartRedrawsOneOutputInPlace() {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        LossChart c = LossChart.live("test", "loss", 3);
        c.add("training", 1, 0.9).add("validation", 1, 1.0).add("training", 2, 0.5).add("training", 3, 0.25);
        c.finish();
        assertEquals(k.calls.size(), k.calls.stream().filter(x -> x.startsWith("display") || x.startsWith("update id-1")).count());
        assertEquals("display [text/plain]", k.calls.get(0));
        assertTrue(k.calls.size() >= 3, k.calls.toString());
        for (String call : k.calls.subList(1, k.calls.size())) {
            assertTrue(call.startsWith("update id-1 [text/plain, image/png]"), call);
        }
        assertTrue(k.calls.get(k.calls.size() - 1).contains("epoch 3/3  training loss 0.25 "), k.calls.toString());
        assertArrayEquals(new double[] {0.9, 0.5, 0.25}, c.values("training"));
        assertEquals(1.0, c.last("validation"));
        assertEquals(2, c.chart().getSeriesMap().size());
    }

    @Test
    void aSeriesGetsTheColourAskedFor() {
        JupyterKernel.use(new JupyterKernel.Text());
        var old = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            LossChart c = LossChart.of("test", "loss", 2).color("validation", java.awt.Color.ORANGE);
            c.series("validation", new double[] {0.5, 0.4}).series("training", new double[] {0.6, 0.3});
            var s = c.chart().getSeriesMap();
            assertEquals(java.awt.Color.ORANGE, s.get("validation").getLineColor());
            assertEquals(java.awt.Color.ORANGE, s.get("validation").getMarkerColor());
            assertNotEquals(java.awt.Color.ORANGE, s.get("training").getLineColor());
        } finally {
            System.setOut(old);
        }
    }

    @Test
    void withoutAKernelEachEpochIsOneLineOfText() {
        JupyterKernel.use(new JupyterKernel.Text());
        var out = new java.io.ByteArrayOutputStream();
        var old = System.out;
        System.setOut(new java.io.PrintStream(out, true));
        try {
            LossChart.live("test", "RMSE", 2).add("training", 1, 0.5).add("training", 2, 0.4);
        } finally {
            System.setOut(old);
        }
        String[] lines = out.toString().trim().split("\n");
        assertEquals(2, lines.length, out.toString());
        assertTrue(lines[1].startsWith("epoch 2/2  training RMSE 0.4 "), lines[1]);
    }

    @Test
    void showRendersChartsAsPng() {
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        var chart = new org.knowm.xchart.XYChartBuilder().title("t").build();
        chart.addSeries("s", new double[] {0, 1}, new double[] {1, 0});
        byte[] png = Show.png(Show.render(chart));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        Show.chart(chart);
        assertEquals("display [text/plain, image/png]", k.calls.get(0));
    }

    @Test
    void lastOfAnUnknownSeriesSaysWhichExist() {
        JupyterKernel.use(new JupyterKernel.Text());
        LossChart c = LossChart.live("t", "loss", 1);
        var e = assertThrows(IllegalArgumentException.class, () -> c.last("validation"));
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
    }

    @Test
    void aChartOfFinishedRunsSpansZeroToTheLastEpoch() {
        LossChart c = LossChart.of("runs", "RMSE", 100)
                .series("a", new double[100]).series("b", java.util.stream.IntStream.range(0, 100).asDoubleStream().toArray());
        assertArrayEquals(new double[] {0, 1, 2}, java.util.Arrays.copyOf(c.values("b"), 3));
        var chart = c.chart();
        assertEquals(2, chart.getSeriesMap().size());
        assertEquals(0.0, chart.getStyler().getXAxisMin());
        assertEquals(100.0, chart.getStyler().getXAxisMax());   // XChart's ticks then end on 100, not on 97
        assertEquals(100.0, chart.getSeriesMap().get("a").getXData()[99]);
        var e = assertThrows(IllegalArgumentException.class, () -> LossChart.of("t", "loss", 2).series("long", new double[3]));
        assertTrue(e.getMessage().contains("3 values") && e.getMessage().contains("2 epochs"), e.getMessage());
    }

    @Test
    void progressLinesRoundTheLossAsAReaderComparesIt() {
        assertEquals("2,193", LossChart.rounded(2192.73253));
        assertEquals("45.39", LossChart.rounded(45.39241));
        assertEquals("0.03452", LossChart.rounded(0.0345249));
        assertEquals("0.1", LossChart.rounded(0.1));
    }
}
