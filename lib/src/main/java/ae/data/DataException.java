package ae.data;

import java.util.List;

/**
 * The one error of the data loaders: a data file that cannot be had, or whose bytes are not what they should be
 * (a wrong checksum, a damaged archive, a photo Java cannot decode). The message names the file, says what was
 * wrong and how to fix it; nothing half-written is left in the cache. When the file could not be had at all,
 * {@link #tried()} lists each place it was looked for and what happened there.
 */
public final class DataException extends RuntimeException {

    private final List<String> tried;

    DataException(String message) {
        this(message, List.of(), null);
    }

    DataException(String message, Throwable cause) {
        this(message, List.of(), cause);
    }

    DataException(String message, List<String> tried) {
        this(message, tried, null);
    }

    private DataException(String message, List<String> tried, Throwable cause) {
        super(message, cause);
        this.tried = List.copyOf(tried);
    }

    /**
     * Each source tried, in order, as "where: what happened" without the machine's paths (e.g. {@code
     * "https://…/cat.3.jpg: HTTP 404"}, {@code "the mirror folder (AE_DATA_MIRROR): no kittens/cat.3.jpg there"});
     * empty when the file was found but is not the published one.
     */
    public List<String> tried() {
        return tried;
    }
}
