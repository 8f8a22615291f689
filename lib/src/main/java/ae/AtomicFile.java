package ae;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written all at once or not at all: the bytes go to a temporary file beside the target ({@code .<name>.…part},
 * which the cache and a reader ignore), and only {@link #commit()} moves it into place, atomically where the file
 * system can. Closing without a commit (an exception, a check that failed) deletes the temporary file, so a reader
 * never finds a half-written or unchecked file under the target's name.
 *
 * <pre>
 *   try (AtomicFile f = AtomicFile.create(target)) {
 *       Files.writeString(f.path(), json);     // or download into it, then check it
 *       f.commit();
 *   }
 * </pre>
 * The download cache, the kitten pixel cache and the metrics file write this way.
 */
public final class AtomicFile implements AutoCloseable {

    private final Path target;
    private Path tmp;

    private AtomicFile(Path target, Path tmp) {
        this.target = target;
        this.tmp = tmp;
    }

    /** A new, empty temporary file beside {@code target} (its folder is created if needed). */
    public static AtomicFile create(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return new AtomicFile(target, Files.createTempFile(dir, "." + target.getFileName() + ".", ".part"));
    }

    /** The temporary file to write (and check) before {@link #commit()}. */
    public Path path() {
        if (tmp == null) throw new IllegalStateException(target.getFileName() + " is already committed or closed");
        return tmp;
    }

    /** Moves the temporary file into place, replacing the target if it exists. */
    public void commit() throws IOException {
        Path from = path();
        try {
            Files.move(from, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, target, StandardCopyOption.REPLACE_EXISTING);
        }
        tmp = null;
    }

    /** Deletes the temporary file unless it was committed. Never throws: a leftover .part file is harmless. */
    @Override
    public void close() {
        if (tmp == null) return;
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // ignored by the cache and by readers, and overwritten next time
        }
        tmp = null;
    }
}
