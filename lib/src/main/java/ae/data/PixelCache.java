package ae.data;

import ae.AtomicFile;
import ae.Pixels;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The kitten photos' scaled pixels, kept in the download cache so that the next load reads them back in a second or
 * two instead of decoding thousands of JPEGs: {@code kittens/pixels-<size>-<count>.u8}, one byte per value.
 *
 * <p>The format: the magic {@code AEKPIX01}, the size and the count (4 bytes each), a SHA-256 of what the pixels
 * depend on (how they are made, the size, and the name and checksum of every photo in order), then the pixels (count
 * rows of 3·size·size bytes, planar RGB), then a CRC-32C of the pixels. A file made from other photos, at another
 * size, or damaged is not used (and is remade); one is written whole or not at all ({@link AtomicFile}).
 */
final class PixelCache {

    private static final byte[] MAGIC = "AEKPIX01".getBytes(StandardCharsets.US_ASCII);
    private static final String METHOD = "java2d-bilinear, planar RGB, 8 bits";
    private static final int HEADER = 8 + 4 + 4 + 32, TRAILER = 8;

    private final Path file;
    private final int count, size;
    private final byte[] digest;

    PixelCache(Path dir, List<DataFile> photos, int size) {
        this.file = dir.resolve("pixels-" + size + "-" + photos.size() + ".u8");
        this.count = photos.size();
        this.size = size;
        this.digest = digest(photos, size);
    }

    Path file() {
        return file;
    }

    /** The cached pixels as [count, 3·size·size] floats in [0, 1], or null when there are none that match (said why). */
    INDArray read() {
        if (!Files.isRegularFile(file)) return null;
        int width = 3 * size * size;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[MAGIC.length], stored = new byte[digest.length];
            boolean matches = Files.size(file) == HEADER + (long) count * width + TRAILER;
            if (matches) {
                in.readFully(magic);
                int s = in.readInt(), c = in.readInt();
                in.readFully(stored);
                matches = Arrays.equals(magic, MAGIC) && s == size && c == count && Arrays.equals(stored, digest);
            }
            if (!matches) {
                System.out.println("(The pixel cache " + file.getFileName() + " does not match these photos; decoding them again.)");
                return null;
            }
            byte[] chunk = new byte[Math.min(Rows.CHUNK, count) * width];
            CRC32C crc = new CRC32C();
            INDArray x = Rows.fill(count, width, (i, into, at) -> {
                int k = i % Rows.CHUNK;
                if (k == 0) {
                    int m = Math.min(Rows.CHUNK, count - i);
                    in.readFully(chunk, 0, m * width);
                    crc.update(chunk, 0, m * width);
                }
                Pixels.toFloats(chunk, k * width, into, at, width);
            });
            if (in.readLong() != crc.getValue()) {
                x.close();
                System.out.println("(The pixel cache " + file.getFileName() + " is damaged; decoding the photos again.)");
                return null;
            }
            return x;
        } catch (IOException e) {
            System.out.println("(The pixel cache " + file.getFileName() + " cannot be read, " + e.getMessage() + "; decoding the photos again.)");
            return null;
        }
    }

    /**
     * A new cache file, filled chunk by chunk in row order as the photos are decoded and moved into place by
     * {@link Writer#commit()}; null (said why) when the folder cannot take it: the photos are then decoded again
     * next time.
     */
    Writer writer() {
        AtomicFile atomic = null;
        try {
            atomic = AtomicFile.create(file);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(atomic.path()), 1 << 16));
            out.write(MAGIC);
            out.writeInt(size);
            out.writeInt(count);
            out.write(digest);
            return new Writer(atomic, out);
        } catch (IOException e) {
            if (atomic != null) atomic.close();
            System.out.println("(The pixels cannot be kept in the cache, " + e.getMessage() + "; the photos will be decoded again next time.)");
            return null;
        }
    }

    /** The pixels of a cache file being written: {@link #write} in row order, then {@link #commit}. */
    static final class Writer implements AutoCloseable {
        private final AtomicFile atomic;
        private final DataOutputStream out;
        private final CRC32C crc = new CRC32C();

        private Writer(AtomicFile atomic, DataOutputStream out) {
            this.atomic = atomic;
            this.out = out;
        }

        void write(byte[] pixels, int length) throws IOException {
            crc.update(pixels, 0, length);
            out.write(pixels, 0, length);
        }

        void commit() throws IOException {
            out.writeLong(crc.getValue());
            out.close();
            atomic.commit();
        }

        /** Without a commit: the half-written file is deleted. */
        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException ignored) {
                // the temporary file goes anyway
            }
            atomic.close();
        }
    }

    /** What the pixels depend on: how they are made, the size, and the name and SHA-256 of every photo, in order. */
    static byte[] digest(List<DataFile> photos, int size) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((METHOD + "\n" + size + "\n" + photos.size() + "\n").getBytes(StandardCharsets.UTF_8));
            for (DataFile p : photos) md.update((p.name() + " " + p.algorithm() + " " + p.checksum() + "\n").getBytes(StandardCharsets.UTF_8));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
