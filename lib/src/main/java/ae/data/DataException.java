package ae.data;

/**
 * The one error of the data loaders: a data file that cannot be had, or whose bytes are not what they should be
 * (a wrong checksum, a damaged archive, a photo Java cannot decode). The message names the file, says what was
 * wrong and how to fix it; nothing half-written is left in the cache.
 */
public final class DataException extends RuntimeException {

    DataException(String message) {
        super(message);
    }

    DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
