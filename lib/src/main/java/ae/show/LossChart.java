package ae.show;

import ae.JupyterKernel;
import java.awt.Color;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.plotly.components.Figure;
import tech.tablesaw.plotly.components.Layout;
import tech.tablesaw.plotly.traces.ScatterTrace;
import tech.tablesaw.plotly.traces.Trace;

/**
 * Loss per epoch, drawn while training runs: one picture in the notebook that redraws itself as epochs finish
 * (where the kernel can update an output in place), or one text line per epoch otherwise.
 *
 * <pre>
 *   LossChart loss = LossChart.live("Iris autoencoder", "RMSE", epochs);
 *   for (int epoch = 1; epoch <= epochs; epoch++) {
 *       ... train one epoch ...
 *       loss.add("training", epoch, rmse);
 *   }
 *   loss.finish();
 * </pre>
 */
public final class LossChart {

    private static final long REDRAW_EVERY_NANOS = 700_000_000L;

    private final XYChart chart;
    private final String yTitle;
    private final int epochs;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private final Map<String, Color> colors = new HashMap<>();
    private Show.Output output;
    private long lastDraw;
    private final long started = System.nanoTime();

    private LossChart(String title, String yTitle, int epochs) {
        this.yTitle = yTitle;
        this.epochs = epochs;
        this.chart = new XYChartBuilder().width(640).height(360).title(title).xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setMarkerSize(4);
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax((double) Math.max(1, epochs));
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisDecimalPattern("0.0###");   // 0.09, not .09
    }

    /** A chart for {@code epochs} epochs of training, shown at once and redrawn as values arrive. */
    public static LossChart live(String title, String yTitle, int epochs) {
        LossChart c = new LossChart(title, yTitle, epochs);
        if (JupyterKernel.current().rich()) c.output = Show.live("Training " + title + ": waiting for the first epoch…");
        return c;
    }

    /**
     * A chart of runs that are already over, not drawn live: add each run with {@link #series(String, double[])},
     * then {@link #show()}. The x axis runs from 0 to {@code epochs}, like the live charts, so its ticks end on the
     * last epoch.
     */
    public static LossChart of(String title, String yTitle, int epochs) {
        return new LossChart(title, yTitle, epochs);
    }

    /** Adds a whole run: {@code values[i]} is the value after epoch i + 1. */
    public LossChart series(String name, double[] values) {
        if (values.length == 0) throw new IllegalArgumentException("series '" + name + "' has no values");
        if (values.length > epochs) {
            throw new IllegalArgumentException("series '" + name + "' has " + values.length + " values, but the chart is for " + epochs + " epochs");
        }
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < values.length; i++) points.add(new double[] {i + 1, values[i]});
        series.put(name, points);
        return this;
    }

    /** Shows the chart with every series (for charts made with {@link #of}). */
    public void show() {
        Show.chart(chart());
    }

    /**
     * Draws the series {@code name} in {@code color}, e.g. to give a model the colour it has in the notebook's other
     * charts (without it, series take XChart's colours in the order they appear).
     */
    public LossChart color(String name, Color color) {
        colors.put(name, color);
        return this;
    }

    /** Records the value of {@code name} (e.g. "training", "validation") after {@code epoch}. */
    public LossChart add(String name, int epoch, double value) {
        series.computeIfAbsent(name, k -> new ArrayList<>()).add(new double[] {epoch, value});
        if (output == null) {
            System.out.println(line(name, epoch, value));
        } else if (System.nanoTime() - lastDraw > REDRAW_EVERY_NANOS || epoch >= epochs) {
            redraw();
        }
        return this;
    }

    /** Draws the final picture (call it once training is over). */
    public void finish() {
        if (output != null) redraw();
        else if (!series.isEmpty()) Show.chart(chart());
    }

    /**
     * Like {@link #finish}, but the final chart is interactive ({@link Show#figure}): hover over an epoch for the exact
     * values of every series. It takes the place of the live picture; viewers that cannot run it show the same PNG.
     */
    public void finishInteractive() {
        if (series.isEmpty()) return;
        Figure figure = figure();
        if (output != null) output.update(figure);
        else Show.figure(figure);
    }

    /** The curves as a Tablesaw figure: one line with markers per series, the exact values of every series on hover. */
    Figure figure() {
        Trace[] traces = series.entrySet().stream().map(e -> ScatterTrace.builder(
                        e.getValue().stream().mapToDouble(p -> p[0]).toArray(), e.getValue().stream().mapToDouble(p -> p[1]).toArray())
                .mode(ScatterTrace.Mode.LINE_AND_MARKERS).name(e.getKey()).build()).toArray(Trace[]::new);
        return new Figure(Layout.builder(chart.getTitle(), "epoch", yTitle).width(640).height(420).hoverMode(Layout.HoverMode.X).build(), traces);
    }

    /** The values of one series, in epoch order. */
    public double[] values(String name) {
        return series.getOrDefault(name, List.of()).stream().mapToDouble(p -> p[1]).toArray();
    }

    /** The last value of one series. */
    public double last(String name) {
        double[] v = values(name);
        if (v.length == 0) throw new IllegalArgumentException("no values for '" + name + "' yet; series are " + series.keySet());
        return v[v.length - 1];
    }

    /** The chart with every series so far (an XChart {@link XYChart}: restyle it as you like). */
    public XYChart chart() {
        for (var e : series.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(p -> p[0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(p -> p[1]).toArray();
            if (chart.getSeriesMap().containsKey(e.getKey())) {
                chart.updateXYSeries(e.getKey(), x, y, null);
            } else {
                XYSeries s = chart.addSeries(e.getKey(), x, y);
                s.setMarker(SeriesMarkers.CIRCLE);
                Color c = colors.get(e.getKey());
                if (c != null) {
                    s.setLineColor(c);
                    s.setMarkerColor(c);
                }
            }
        }
        return chart;
    }

    private void redraw() {
        lastDraw = System.nanoTime();
        XYChart c = chart();
        String caption = series.entrySet().stream()
                .map(e -> { double[] p = e.getValue().get(e.getValue().size() - 1);
                            return line(e.getKey(), (int) p[0], p[1]); })
                .reduce((a, b) -> a + "; " + b).orElse("");
        output.update(Show.render(c), caption);
    }

    private String line(String name, int epoch, double value) {
        double seconds = (System.nanoTime() - started) / 1e9;
        return String.format(Locale.ROOT, "epoch %d/%d  %s %s %s  (%.1f s)", epoch, epochs, name, yTitle, rounded(value), seconds);
    }

    /** A loss as a reader compares it: four significant digits below 100 (0.03452), whole numbers with commas above (2,193). */
    static String rounded(double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) return String.valueOf(value);
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
                : new java.math.BigDecimal(value).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
