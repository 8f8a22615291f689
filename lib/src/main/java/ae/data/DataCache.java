package ae.data;

import ae.AtomicFile;
import ae.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * The download cache: {@code DataCache.fetch(Datasets.MNIST_TRAIN_IMAGES)} returns the path of a verified copy.
 *
 * <p>Sources are tried in order: the cache ({@code AE_DATA}), the mirror ({@code AE_DATA_MIRROR}, a folder or
 * URL laid out as {@code dataset/file}), then the file's own URLs. A download is written to a temporary file
 * beside its final place, its size and checksum are checked, and only then is it renamed into place, so the
 * cache never holds a half-written or wrong file. A wrong checksum is an error, never a warning.
 */
final class DataCache {

    private static final int CONNECT_TIMEOUT_MS = 20_000;
    /** A download that receives nothing for this long is abandoned (a stalled server must not hang a notebook). */
    static int readTimeoutMs = 60_000;
    private static final int MAX_REDIRECTS = 5;
    private static final long PROGRESS_EVERY_NANOS = 2_000_000_000L;

    private final Path dir;
    private final String mirror;
    private final PrintStream log;

    DataCache(Path dir, String mirror, PrintStream log) {
        this.dir = dir;
        this.mirror = mirror;
        this.log = log;
    }

    /** The cache the settings describe; downloads say what they fetch (one line each) on standard output. */
    static DataCache fromSettings() {
        return new DataCache(Settings.dataDir(), Settings.mirror(), System.out);
    }

    /** A verified local copy of {@code file}, fetched if it is not cached yet. */
    static Path fetch(DataFile file) {
        return fromSettings().get(file);
    }

    Path get(DataFile file) {
        List<String> failures = new ArrayList<>();
        Path local = local(file, failures);
        if (local != null) return local;
        Path target = dir.resolve(file.dataset()).resolve(file.name());
        for (String url : file.urls()) {
            if (download(file, url, target, failures)) return target;
        }
        throw new DataException("Could not get " + file + ". Tried:\n  " + String.join("\n  ", failures)
                + "\nTo fix: check the network, or set AE_DATA_MIRROR to a folder (or URL) holding " + file.relativePath()
                + ", or put the file at " + target + " yourself (its " + file.algorithm() + " must be " + file.checksum() + ").",
                failures);
    }

    /**
     * A verified copy of {@code file} from the cache or the mirror only (no official URL is tried), or null if
     * neither has it. Loaders use it to prefer a file that is at hand over a large download.
     */
    Path find(DataFile file) {
        return local(file, new ArrayList<>());
    }

    private Path local(DataFile file, List<String> failures) {
        Path target = dir.resolve(file.dataset()).resolve(file.name());
        if (Files.isRegularFile(target)) {
            Check c = check(target, file);
            if (c.ok()) return target;
            throw new DataException("The cached file " + target + " is not the published " + file + ": " + c.problem()
                    + ". Delete it (rm '" + target + "') and run again to download a fresh copy.");
        }
        if (mirror != null) {
            String where = mirrorLocation(file);
            if (isUrl(mirror)) {
                if (download(file, where, target, failures)) return target;
            } else {
                Path source = Path.of(where);
                if (Files.isRegularFile(source)) {
                    copyVerified(file, source, target);
                    return target;
                }
                failures.add("the mirror folder (AE_DATA_MIRROR): no " + file.relativePath() + " there");
            }
        }
        return null;
    }

    private String mirrorLocation(DataFile file) {
        String base = mirror.endsWith("/") ? mirror.substring(0, mirror.length() - 1) : mirror;
        return isUrl(mirror) ? base + "/" + file.relativePath() : Path.of(base).resolve(file.dataset()).resolve(file.name()).toString();
    }

    private static boolean isUrl(String s) {
        String lower = s.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /** Copies a mirror file into the cache through a verified temporary file. */
    private void copyVerified(DataFile file, Path source, Path target) {
        try (AtomicFile copy = AtomicFile.create(target)) {
            Files.copy(source, copy.path(), StandardCopyOption.REPLACE_EXISTING);
            Check c = check(copy.path(), file);
            if (!c.ok()) {
                throw new DataException("The mirror's copy " + source + " is not the published " + file + ": " + c.problem()
                        + ". Replace it with the original file" + (file.urls().isEmpty() ? "." : ", or unset AE_DATA_MIRROR to download from " + file.urls().get(0) + "."));
            }
            copy.commit();   // quietly: a mirror is as local as the cache (and its path is the machine's)
        } catch (IOException e) {
            throw new DataException("Could not copy " + source + " into the cache " + target.getParent() + ": " + e
                    + ". Check that the folder is writable, or set AE_DATA to another folder.");
        }
    }

    /** Downloads one URL into place; returns false (with the reason in failures) if it could not be had. */
    private boolean download(DataFile file, String url, Path target, List<String> failures) {
        try (AtomicFile download = AtomicFile.create(target)) {
            HttpURLConnection connection = open(url);
            int status = connection.getResponseCode();
            if (status != 200) {
                connection.disconnect();
                failures.add(url + ": HTTP " + status);
                return false;
            }
            long length = connection.getContentLengthLong();
            long total = length >= 0 ? length : file.bytes();
            // one line per download, without paths: "Downloading mnist/x.gz (9.9 MB) from host ... 40% ... done"
            log.print("Downloading " + file + " (" + megabytes(total) + ") from " + URI.create(url).getHost() + " ...");
            long got;
            try {
                got = copyWithProgress(connection.getInputStream(), download.path(), total);
            } finally {
                log.println();
            }
            if (length >= 0 && got != length) {
                failures.add(url + ": the connection closed after " + got + " of " + length + " bytes");
                return false;
            }
            Check c = check(download.path(), file);
            if (!c.ok()) {
                throw new DataException("The download of " + file + " from " + url + " is not the published file: " + c.problem()
                        + " (" + got + " bytes received). Nothing was kept in the cache. This usually means the download was"
                        + " cut short or the server sent another file; run again, or fetch the file by hand into " + target + ".");
            }
            download.commit();
            return true;
        } catch (DataException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            failures.add(url + ": " + e);
            return false;
        }
    }

    /** Opens a GET connection, following redirects (also from http to https, which HttpURLConnection will not). */
    private static HttpURLConnection open(String url) throws IOException {
        String location = url;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpURLConnection c = (HttpURLConnection) new URL(location).openConnection();
            c.setConnectTimeout(CONNECT_TIMEOUT_MS);
            c.setReadTimeout(readTimeoutMs);
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("User-Agent", "autoencoders-java-course");
            int status = c.getResponseCode();
            if (status < 300 || status >= 400 || c.getHeaderField("Location") == null) return c;
            location = URI.create(location).resolve(c.getHeaderField("Location")).toString();
            c.disconnect();
        }
        throw new IOException("more than " + MAX_REDIRECTS + " redirects");
    }

    /** Copies a download, adding " 40%" (or " 12.0 MB") to the current line every few seconds and " done" at the end. */
    private long copyWithProgress(InputStream body, Path tmp, long total) throws IOException {
        long got = 0;
        long lastReport = System.nanoTime();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = body; OutputStream out = Files.newOutputStream(tmp)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                out.write(buffer, 0, n);
                got += n;
                if (System.nanoTime() - lastReport > PROGRESS_EVERY_NANOS) {
                    lastReport = System.nanoTime();
                    log.print(total > 0 ? String.format(Locale.ROOT, " %d%%", 100 * got / total) : " " + megabytes(got));
                }
            }
        }
        log.print(" done");
        return got;
    }

    record Check(boolean ok, String problem) {}

    /** Compares a file's size and checksum with the registry's. */
    static Check check(Path path, DataFile file) {
        try {
            long size = Files.size(path);
            if (file.bytes() >= 0 && size != file.bytes()) {
                return new Check(false, "it has " + size + " bytes, expected " + file.bytes()
                        + (size < file.bytes() ? " (truncated)" : ""));
            }
            String actual = checksum(path, file.algorithm());
            if (!actual.equals(file.checksum())) {
                return new Check(false, file.algorithm() + " is " + actual + ", expected " + file.checksum());
            }
            return new Check(true, "");
        } catch (IOException e) {
            return new Check(false, "it cannot be read (" + e + ")");
        }
    }

    /** Hex checksum of a file. */
    static String checksum(Path path, String algorithm) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance(algorithm);
            try (InputStream in = Files.newInputStream(path)) {
                byte[] buffer = new byte[1 << 16];
                for (int n; (n = in.read(buffer)) > 0; ) md.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("unknown checksum algorithm " + algorithm, e);
        }
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "size unknown" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
