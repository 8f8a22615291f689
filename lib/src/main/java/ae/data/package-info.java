/**
 * The data sets as {@code INDArray}s: {@link ae.data.Iris}, {@link ae.data.Mnist} (digits and Fashion-MNIST),
 * {@link ae.data.Cifar10}, {@link ae.data.Kittens}, each as {@link ae.data.Images} (one image per row, pixels in [0, 1]).
 * Files come through the download cache (the cache, the mirror, the publisher; each checked against its published
 * checksum), and a file that cannot be had, or is not the published one, is a {@link ae.data.DataException} that says
 * what to do. The registry of files and the cache are internal; {@code make data} runs {@code ae.data.FetchData}.
 */
package ae.data;
