/**
 * Outputs in the notebook, the same on every supported kernel: {@link ae.show.Show} (XChart charts and pictures as PNG,
 * Tablesaw figures as interactive Plotly charts with a PNG beside them, Tablesaw tables), {@link ae.show.ImageGrid}
 * (labelled grids of images and codes), {@link ae.show.LossChart} (loss per epoch, live while training runs) and
 * {@link ae.show.ModelDiagram} (a picture of a network).
 */
package ae.show;
