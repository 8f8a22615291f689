/**
 * DL4J's own layers computed faster, without changing the model: a notebook builds its network with DL4J's layers and
 * calls {@link ae.layers.FastLayers#apply}, whose mapping (one line per stock layer type) puts the implementations of
 * this package in place of DL4J's, with the same parameters and the same results.
 */
package ae.layers;
