/**
 * The helper jar of "Autoencoders in Java": what a notebook touches first, and the base the other packages stand on.
 *
 * <ul>
 *   <li>For notebooks: {@link ae.Settings} (every setting, from the environment), {@link ae.Metrics} (the numbers a
 *       notebook reports), {@link ae.Batches} (mini-batches), {@link ae.Quality} (MSE, cross-entropy, PSNR),
 *       {@link ae.Pca} (the one PCA, which checks itself), {@link ae.Codes} (what a code is worth: a map, a
 *       nearest-neighbour test), {@link ae.Jpeg} (the classic codec to compare with), {@link ae.Quiet}.</li>
 *   <li>Base utilities the packages below share: {@link ae.Pixels} (pixel conversions), {@link ae.AtomicFile}
 *       (writes that are whole or not at all), {@link ae.JupyterKernel} (the connection to the notebook's kernel),
 *       {@link ae.Progress} (one line for a long job).</li>
 * </ul>
 *
 * <p>The packages by role: {@link ae.data} loads the data sets, {@link ae.show} draws, {@link ae.layers} computes
 * DL4J's layers faster. Each of them uses this package and none uses another: the data never draws.
 */
package ae;
