package ae.show;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * A picture of a network, like Keras's {@code plot_model}: one box per layer, top to bottom, with the layer's type,
 * its output shape (height×width×channels, or a plain size) and its parameter count; reshapes between layers are
 * written on the arrows.
 *
 * <pre>
 *   ModelDiagram.show(net, InputType.convolutional(28, 28, 1), "Denoising autoencoder");
 * </pre>
 */
public final class ModelDiagram {

    /** One box: what the layer is, what comes out of it, its parameters, and the reshape on the arrow into it. */
    record Box(String name, String type, String output, long params, String reshape) {}

    private ModelDiagram() {}

    /** Draws the diagram and shows it in the notebook. */
    public static void show(MultiLayerNetwork net, InputType input, String title) {
        Show.image(image(net, input, title), title);
    }

    /** The diagram as a picture. */
    static BufferedImage image(MultiLayerNetwork net, InputType input, String title) {
        return draw(boxes(net, input), title);
    }

    static List<Box> boxes(MultiLayerNetwork net, InputType input) {
        MultiLayerConfiguration conf = net.getLayerWiseConfigurations();
        List<InputType> outputs = conf.getLayerActivationTypes(input);
        List<Box> boxes = new ArrayList<>();
        boxes.add(new Box("input", "Input", shape(input), 0, null));
        for (int i = 0; i < conf.getConfs().size(); i++) {
            Layer layer = conf.getConf(i).getLayer();
            InputPreProcessor pre = conf.getInputPreProcess(i);
            String reshape = pre instanceof CnnToFeedForwardPreProcessor ? "flatten"
                    : pre instanceof FeedForwardToCnnPreProcessor ? "reshape to " + shape(pre.getOutputType(i == 0 ? input : outputs.get(i - 1)))
                    : pre != null ? pre.getClass().getSimpleName() : null;
            String name = layer.getLayerName() != null ? layer.getLayerName() : "layer" + i;
            boxes.add(new Box(name, layer.getClass().getSimpleName(), shape(outputs.get(i)), net.getLayer(i).numParams(), reshape));
        }
        return boxes;
    }

    /** 28×28×16 for images (height×width×channels, as Keras prints it), 128 for vectors. */
    static String shape(InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return c.getHeight() + "×" + c.getWidth() + "×" + c.getChannels();
        }
        if (type instanceof InputType.InputTypeFeedForward f) {
            return String.valueOf(f.getSize());
        }
        return type.toString();
    }

    /** Fill colour by kind of layer. */
    static Color colour(String type) {
        String t = type.toLowerCase();
        if (t.contains("deconvolution")) return new Color(0xE1D5F5);
        if (t.contains("convolution")) return new Color(0xCFE3F7);
        if (t.contains("batchnorm")) return new Color(0xE6E6E6);
        if (t.contains("subsampling") || t.contains("pool")) return new Color(0xFBE0C4);
        if (t.contains("upsampling")) return new Color(0xFFF2B3);
        if (t.contains("dense") || t.contains("output")) return new Color(0xD4EFD4);
        if (t.contains("loss")) return new Color(0xF6D1D1);
        return Color.WHITE;
    }

    static BufferedImage draw(List<Box> boxes, String title) {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13), bold = font.deriveFont(Font.BOLD), small = font.deriveFont(11f);
        FontMetrics fm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(bold);
        int typeW = boxes.stream().mapToInt(b -> fm.stringWidth(b.name() + ": " + b.type())).max().orElse(100) + 16;
        int shapeW = 150, paramsW = 130, boxH = 26, gap = 16, top = 40, left = 20;
        long total = boxes.stream().mapToLong(Box::params).sum();
        String count = String.format("%,d parameters", total);
        FontMetrics titleFm = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics().getFontMetrics(bold.deriveFont(15f));
        int width = Math.max(left * 2 + typeW + shapeW + paramsW, left * 3 + titleFm.stringWidth(title) + fm.stringWidth(count));
        int height = top + boxes.size() * (boxH + gap) + 10;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(bold.deriveFont(15f));
        g.drawString(title, left, 24);
        g.setFont(font);
        g.drawString(count, width - left - g.getFontMetrics().stringWidth(count), 24);
        int boxW = typeW + shapeW + paramsW;
        for (int i = 0; i < boxes.size(); i++) {
            Box b = boxes.get(i);
            int y = top + i * (boxH + gap);
            if (i > 0) {
                int cx = left + typeW / 2;
                g.setColor(Color.DARK_GRAY);
                g.setStroke(new BasicStroke(1.5f));
                g.drawLine(cx, y - gap, cx, y - 2);
                g.fillPolygon(new int[] {cx - 4, cx + 4, cx}, new int[] {y - 7, y - 7, y - 1}, 3);
                if (b.reshape() != null) {
                    g.setFont(small);
                    g.drawString(b.reshape(), cx + 10, y - 4);
                }
            }
            g.setColor(colour(b.type()));
            g.fillRoundRect(left, y, boxW, boxH, 8, 8);
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1f));
            g.drawRoundRect(left, y, boxW, boxH, 8, 8);
            g.drawLine(left + typeW, y, left + typeW, y + boxH);
            g.drawLine(left + typeW + shapeW, y, left + typeW + shapeW, y + boxH);
            g.setColor(Color.BLACK);
            g.setFont(bold);
            g.drawString(b.name() + ": " + b.type(), left + 8, y + 17);
            g.setFont(font);
            g.drawString("out " + b.output(), left + typeW + 8, y + 17);
            g.drawString(b.params() == 0 ? "–" : String.format("%,d params", b.params()), left + typeW + shapeW + 8, y + 17);
        }
        g.dispose();
        return img;
    }
}
