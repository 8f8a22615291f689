package ae.show;

import static org.junit.jupiter.api.Assertions.*;

import ae.Quality;
import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** ImageGrid, Quality and Jpeg. */
class PicturesTest {

    @Test
    void qualityNumbersMatchTheirFormulas() {
        INDArray x = Nd4j.createFromArray(new float[][] {{0f, 1f, 0.5f, 0.25f}});
        INDArray y = Nd4j.createFromArray(new float[][] {{0.1f, 0.9f, 0.5f, 0.25f}});
        assertEquals((0.01 + 0.01) / 4, Quality.mse(x, y), 1e-7);
        assertEquals(10 * Math.log10(1 / 0.005), Quality.psnr(x, y), 1e-4);
        double expected = -(Math.log(0.9) + Math.log(0.9) + (0.5 * Math.log(0.5) + 0.5 * Math.log(0.5))
                + (0.25 * Math.log(0.25) + 0.75 * Math.log(0.75))) / 4;
        assertEquals(expected, Quality.bce(x, y), 1e-6);
        // predictions of exactly 0 or 1 are clipped, as Keras does, instead of giving infinity
        assertTrue(Double.isFinite(Quality.bce(x, x.rsub(1))));
    }

    @Test
    void aGridHasOneRowPerSetAndDrawsThePixels() {
        INDArray white = Nd4j.ones(DataType.FLOAT, 3, 4), black = Nd4j.zeros(DataType.FLOAT, 3, 4);
        ImageGrid grid = ImageGrid.of(2, 2).scale(1).columns(3).row("white", white).row("black", black);
        BufferedImage img = grid.image();
        assertTrue(img.getWidth() > 3 * 2 && img.getHeight() >= 2 * 2, img.getWidth() + "x" + img.getHeight());
        BufferedImage cell = ae.Pixels.toImage(white.getRow(0).toFloatVector(), 1, 2, 2);
        assertEquals(0xFFFFFF, cell.getRGB(1, 1) & 0xFFFFFF);
        var fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        String shortened = ImageGrid.fit("Ankle boot, very long", fm, 56);
        assertTrue(shortened.endsWith("…") && fm.stringWidth(shortened) <= 56, shortened);
        var e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(28, 28).row("wrong", white));
        assertTrue(e.getMessage().contains("784"), e.getMessage());
    }

    @Test
    void codesAreDrawnUnderTheirImagesAsHeatMapsWithAColourBar() {
        INDArray digits = Nd4j.zeros(DataType.FLOAT, 2, 16), codes = Nd4j.zeros(DataType.FLOAT, 2, 8);
        codes.putScalar(0, 0, 1f);   // first code's first number at the top of the scale
        ImageGrid grid = ImageGrid.of(4, 4).scale(4).row("digit", digits).codes("code", codes, 2, 4).codeScale(0, 1, "code value");
        BufferedImage img = grid.image();
        BufferedImage plain = ImageGrid.of(4, 4).scale(4).row("digit", digits).image();
        // the code row is as wide as an image (16 px) and 2/4 as high (8 px), plus a 4-px gap and the colour bar
        assertEquals(plain.getHeight() + 8 + 4 + 44, img.getHeight());
        assertEquals(ImageGrid.colour(1), grid.heatMap(codes.getRow(0), 2, 4).getRGB(0, 0) & 0xFFFFFF);
        assertEquals(ImageGrid.colour(0), grid.heatMap(codes.getRow(0), 2, 4).getRGB(1, 0) & 0xFFFFFF);
        assertEquals(0x440154, ImageGrid.colour(-3), "values below the scale get its low end");
        assertEquals(0xFDE725, ImageGrid.colour(7), "and above it its high end");
        var e = assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(4, 4).codes("code", codes, 3, 3));
        assertTrue(e.getMessage().contains("3x3 = 9") && e.getMessage().contains("[2, 8]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageGrid.of(4, 4).codeScale(1, 1, "x"));
    }

    @Test
    void longColumnLabelsWrapOntoTwoLinesInsteadOfBeingCut() {
        var fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(new java.awt.Font(java.awt.Font.SANS_SERIF, java.awt.Font.PLAIN, 13));
        assertEquals(java.util.List.of("Ankle", "boot"), ImageGrid.wrap("Ankle boot", fm, fm.stringWidth("Ankle boot") - 1));
        assertEquals(java.util.List.of("Ankle boot"), ImageGrid.wrap("Ankle boot", fm, 200));
        // a title wider than the grid widens the picture instead of running off its edge
        BufferedImage img = ImageGrid.of(2, 2).scale(1).title("A long title for a tiny grid").row("", Nd4j.zeros(DataType.FLOAT, 1, 4)).image();
        assertTrue(img.getWidth() > 100, "width " + img.getWidth());
    }

    @Test
    void aBlockWrapsImagesIntoRowsOfTheColumnCount() {
        INDArray images = Nd4j.rand(DataType.FLOAT, 25, 4);
        BufferedImage block = ImageGrid.of(2, 2).scale(1).columns(5).block(images).image();
        BufferedImage oneRow = ImageGrid.of(2, 2).scale(1).columns(5).block(images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 5))).image();
        assertEquals(oneRow.getWidth(), block.getWidth());
        assertEquals(5 * (2 + 4), block.getHeight() - oneRow.getHeight() + (2 + 4), "five rows of 2-pixel cells and 4-pixel gaps");
    }

    @Test
    void aModelDiagramListsEveryLayerWithItsOutputShapeAndParameters() {
        var conf = new org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder().list()
                .layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(4).convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(3).build())
                .layer(new org.deeplearning4j.nn.conf.layers.DenseLayer.Builder().nOut(6 * 6 * 2).build())
                .layer(new org.deeplearning4j.nn.conf.layers.Deconvolution2D.Builder(3, 3).nOut(1).convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).build())
                .inputPreProcessor(3, new org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor(6, 6, 2))
                .setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutional(6, 6, 1))
                .build();
        var net = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(conf);
        net.init();
        var boxes = ModelDiagram.boxes(net, org.deeplearning4j.nn.conf.inputs.InputType.convolutional(6, 6, 1));
        assertEquals(java.util.List.of("6×6×1", "6×6×4", "3", "72", "6×6×1"), boxes.stream().map(ModelDiagram.Box::output).toList());
        assertEquals(java.util.List.of("Input", "ConvolutionLayer", "DenseLayer", "DenseLayer", "Deconvolution2D"),
                boxes.stream().map(ModelDiagram.Box::type).toList());
        assertEquals("flatten", boxes.get(2).reshape());
        assertEquals("reshape to 6×6×2", boxes.get(4).reshape());
        assertEquals(net.numParams(), boxes.stream().mapToLong(ModelDiagram.Box::params).sum());
        BufferedImage img = ModelDiagram.image(net, org.deeplearning4j.nn.conf.inputs.InputType.convolutional(6, 6, 1), "test");
        assertTrue(img.getHeight() > 5 * 26, "one box per layer plus the input");
    }
}
