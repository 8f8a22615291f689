package ae.data;

import java.util.List;
import java.util.Locale;

/**
 * One published file the course uses: where it lives on the web and the checksum its bytes must have.
 *
 * @param dataset   folder in the cache and in a mirror, e.g. {@code mnist}
 * @param name      file name, e.g. {@code train-images-idx3-ubyte.gz}
 * @param urls      the publisher's URL first, then well-known public mirrors of the same bytes
 * @param algorithm checksum algorithm as Java names it: {@code SHA-256} (or {@code SHA-1} where only that is published)
 * @param checksum  expected checksum, lower-case hex
 * @param bytes     expected size in bytes, or -1 if unknown
 */
record DataFile(String dataset, String name, List<String> urls, String algorithm, String checksum, long bytes) {

    public DataFile {
        if (dataset.isBlank() || name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException("a data file needs a dataset folder and a plain file name: " + dataset + "/" + name);
        }
        checksum = checksum.toLowerCase(Locale.ROOT);
        urls = List.copyOf(urls);
    }

    static DataFile sha256(String dataset, String name, long bytes, String sha256, String... urls) {
        return new DataFile(dataset, name, List.of(urls), "SHA-256", sha256, bytes);
    }

    /** The path of this file inside a cache or mirror: {@code dataset/name}. */
    String relativePath() {
        return dataset + "/" + name;
    }

    @Override
    public String toString() {
        return relativePath();
    }
}
