package ae;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Grayscale images through JPEG and back (Java's ImageIO encoder), to compare a learned code with a classic codec. */
public final class Jpeg {

    private Jpeg() {}

    /**
     * One JPEG file: its size, the size of its entropy-coded scan data alone (what is left once the headers and the
     * quantization and Huffman tables, the same for every image at one quality, are shared), and the decoded image.
     */
    public record RoundTrip(int bytes, int scanBytes, INDArray decoded) {}

    /** Where the scan data starts: after the start-of-scan (FFDA) marker segment. */
    static int scanStart(byte[] jpeg) {
        for (int i = 2; i + 3 < jpeg.length; ) {
            if ((jpeg[i] & 0xFF) != 0xFF) throw new IllegalArgumentException("not a JPEG marker at byte " + i);
            int marker = jpeg[i + 1] & 0xFF;
            int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
            if (marker == 0xDA) return i + 2 + length;
            i += 2 + length;
        }
        throw new IllegalArgumentException("no start-of-scan marker in the JPEG data");
    }

    /** Encodes a grayscale image (height·width pixels in [0, 1]) at {@code quality} in [0, 1] and decodes it again. */
    public static RoundTrip roundTrip(INDArray pixels, int height, int width, float quality) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, Pixels.toBytes(pixels.toFloatVector()));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
                writer.setOutput(ios);
                writer.write(null, new IIOImage(img, null, null), param);
            } finally {
                writer.dispose();
            }
            byte[] file = out.toByteArray();
            BufferedImage back = ImageIO.read(new ByteArrayInputStream(file));
            float[] decoded = new float[height * width];
            Pixels.toFloats((byte[]) back.getRaster().getDataElements(0, 0, width, height, null), 0, decoded, 0, decoded.length);
            return new RoundTrip(file.length, file.length - scanStart(file), Nd4j.create(decoded, new long[] {1, (long) height * width}, 'c').castTo(DataType.FLOAT));
        } catch (IOException e) {
            throw new UncheckedIOException("JPEG round trip failed", e);
        }
    }
}
