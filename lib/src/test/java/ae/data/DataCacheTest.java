package ae.data;

import static org.junit.jupiter.api.Assertions.*;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The download cache against a local HTTP server that serves good, truncated, wrong and missing files. */
class DataCacheTest {

    static final byte[] CONTENT = "the published bytes of a tiny data set\n".repeat(2000).getBytes(StandardCharsets.UTF_8);

    @TempDir Path tmp;
    HttpServer server;
    String base;
    final AtomicInteger requests = new AtomicInteger();
    final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/good/", ex -> { requests.incrementAndGet(); send(ex, CONTENT, CONTENT.length); });
        // A complete response whose file is shorter than the published one (a truncated copy on the server).
        server.createContext("/short/", ex -> { requests.incrementAndGet(); byte[] b = java.util.Arrays.copyOf(CONTENT, CONTENT.length - 10); send(ex, b, b.length); });
        // Same size, different bytes.
        server.createContext("/wrong/", ex -> { requests.incrementAndGet(); byte[] b = CONTENT.clone(); b[100] ^= 1; send(ex, b, b.length); });
        server.createContext("/missing/", ex -> { requests.incrementAndGet(); ex.sendResponseHeaders(404, -1); ex.close(); });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        rawServer = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
        raw = "http://127.0.0.1:" + rawServer.getLocalPort();
        Thread t = new Thread(this::serveRaw, "raw-http");
        t.setDaemon(true);
        t.start();
        DataCache.readTimeoutMs = 1000;
    }

    java.net.ServerSocket rawServer;
    String raw;

    /**
     * A server at the socket level: announces the full length and sends half the file, then either closes the
     * connection (/cut/: a download cut midway) or goes silent while keeping it open (/stall/).
     */
    void serveRaw() {
        while (!rawServer.isClosed()) {
            try (java.net.Socket s = rawServer.accept()) {
                requests.incrementAndGet();
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                String requestLine = in.readLine();
                for (String h = in.readLine(); h != null && !h.isEmpty(); h = in.readLine()) { /* skip headers */ }
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + CONTENT.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(CONTENT, 0, CONTENT.length / 2);
                out.flush();
                if (requestLine != null && requestLine.contains("/stall/")) Thread.sleep(3000);
            } catch (IOException | InterruptedException e) {
                // closed by the test, or the client gave up
            }
        }
    }

    private static void send(com.sun.net.httpserver.HttpExchange ex, byte[] body, long announced) throws IOException {
        ex.sendResponseHeaders(200, announced);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        } catch (IOException ignored) {
            // the client gives up on a cut response
        }
        ex.close();
    }

    @AfterEach
    void stopServer() throws IOException {
        server.stop(0);
        rawServer.close();
        DataCache.readTimeoutMs = 60_000;
    }

    static DataFile file(String... urls) throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(CONTENT));
        return DataFile.sha256("tiny", "tiny.bin", CONTENT.length, sha, urls);
    }

    DataCache cache(String mirror) {
        return new DataCache(tmp.resolve("cache"), mirror, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    List<Path> filesInCache() throws IOException {
        Path dir = tmp.resolve("cache");
        if (!Files.exists(dir)) return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void downloadsVerifiesAndThenServesFromTheCache() throws Exception {
        DataFile f = file(base + "/good/tiny.bin");
        Path p = cache(null).get(f);
        assertEquals(tmp.resolve("cache/tiny/tiny.bin"), p);
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(List.of(p), filesInCache(), "only the verified file is left in the cache");
        // one line, no path of the machine: "Downloading tiny/tiny.bin (0.0 MB) from 127.0.0.1 ... done"
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.startsWith("Downloading tiny/tiny.bin (") && said.endsWith(" done" + System.lineSeparator()), said);
        assertEquals(1, said.lines().count(), said);
        assertFalse(said.contains(tmp.toString()), said);

        server.stop(0); // no network needed the second time
        assertEquals(p, cache(null).get(f));
        assertEquals(1, requests.get());
    }

    @Test
    void aWrongChecksumIsAnErrorAndNothingIsKept() throws Exception {
        DataFile f = file(base + "/wrong/tiny.bin", base + "/good/tiny.bin");
        var e = assertThrows(DataException.class, () -> cache(null).get(f));
        String m = e.getMessage();
        assertTrue(m.contains("tiny/tiny.bin") && m.contains(f.checksum()) && m.contains("SHA-256 is "), m);
        assertTrue(m.contains("Nothing was kept"), m);
        assertEquals(List.of(), filesInCache());
        assertEquals(1, requests.get(), "a wrong file is an error, not a reason to try the next URL");
    }

    @Test
    void aTruncatedFileIsAnErrorAndNothingIsKept() throws Exception {
        DataFile f = file(base + "/short/tiny.bin");
        var e = assertThrows(DataException.class, () -> cache(null).get(f));
        assertTrue(e.getMessage().contains("(truncated)"), e.getMessage());
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void aConnectionCutMidwayFallsBackToTheNextUrl() throws Exception {
        DataFile f = file(raw + "/cut/tiny.bin", base + "/good/tiny.bin");
        Path p = cache(null).get(f);
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(List.of(p), filesInCache());
        assertEquals(2, requests.get());
    }

    @Test
    void aStalledDownloadTimesOutInsteadOfHanging() throws Exception {
        DataFile f = file(raw + "/stall/tiny.bin");
        long t0 = System.nanoTime();
        var e = assertThrows(DataException.class, () -> cache(null).get(f));
        assertTrue(e.getMessage().contains("/stall/tiny.bin: java.net.SocketTimeoutException"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < 2_900_000_000L, "gave up before the server woke");
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void whenEverySourceFailsTheErrorListsThemAndSaysHowToFixIt() throws Exception {
        DataFile f = file(base + "/missing/tiny.bin", raw + "/cut/tiny.bin");
        var e = assertThrows(DataException.class, () -> cache(null).get(f));
        String m = e.getMessage();
        assertTrue(m.contains("HTTP 404") && m.contains("/cut/tiny.bin") && m.contains("AE_DATA_MIRROR"), m);
        assertEquals(List.of(), filesInCache());
        // the same, as data: each source and what it answered, in order (a mirror folder without the file comes first)
        Path emptyMirror = Files.createDirectories(tmp.resolve("empty-mirror"));
        var tried = assertThrows(DataException.class, () -> cache(emptyMirror.toString()).get(f)).tried();
        assertEquals(3, tried.size(), tried.toString());
        assertEquals("the mirror folder (AE_DATA_MIRROR): no tiny/tiny.bin there", tried.get(0));
        assertEquals(base + "/missing/tiny.bin: HTTP 404", tried.get(1));
        assertTrue(tried.get(2).startsWith(raw + "/cut/tiny.bin: "), tried.get(2));
        assertTrue(tried.stream().noneMatch(t -> t.contains(tmp.toString())), "no machine paths: " + tried);
    }

    @Test
    void aMirrorFolderIsUsedBeforeTheNetwork() throws Exception {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror.resolve("tiny"));
        Files.write(mirror.resolve("tiny/tiny.bin"), CONTENT);
        Path p = cache(mirror.toString()).get(file(base + "/good/tiny.bin"));
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(0, requests.get());
        assertEquals("", log.toString(StandardCharsets.UTF_8), "a copy from the mirror folder is quiet");
    }

    @Test
    void aMirrorFolderWithoutTheFileFallsBackToTheUrl() throws Exception {
        Path p = cache(tmp.resolve("empty-mirror").toString()).get(file(base + "/good/tiny.bin"));
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(1, requests.get());
    }

    @Test
    void aBadFileInTheMirrorIsAnError() throws Exception {
        Path mirror = tmp.resolve("mirror");
        Files.createDirectories(mirror.resolve("tiny"));
        Files.write(mirror.resolve("tiny/tiny.bin"), java.util.Arrays.copyOf(CONTENT, 100));
        var e = assertThrows(DataException.class, () -> cache(mirror.toString()).get(file(base + "/good/tiny.bin")));
        assertTrue(e.getMessage().contains("mirror's copy") && e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(List.of(), filesInCache());
    }

    @Test
    void aMirrorUrlIsUsedBeforeTheOfficialUrl() throws Exception {
        Path p = cache(base + "/good").get(file(base + "/missing/tiny.bin"));
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(1, requests.get());
    }

    @Test
    void aDamagedCachedFileIsReportedWithTheCommandThatFixesIt() throws Exception {
        Path cached = tmp.resolve("cache/tiny/tiny.bin");
        Files.createDirectories(cached.getParent());
        Files.write(cached, "not it".getBytes(StandardCharsets.UTF_8));
        var e = assertThrows(DataException.class, () -> cache(null).get(file(base + "/good/tiny.bin")));
        assertTrue(e.getMessage().contains("rm '" + cached + "'"), e.getMessage());
    }

    @Test
    void theRegistryNamesEveryFileWithAUrlAndAChecksum() {
        assertFalse(Datasets.all().isEmpty());
        for (DataFile f : Datasets.all()) {
            assertFalse(f.urls().isEmpty(), f.toString());
            f.urls().forEach(u -> assertTrue(u.startsWith("http://") || u.startsWith("https://"), u));
            int hex = f.algorithm().equals("SHA-256") ? 64 : 40;
            assertTrue(f.checksum().matches("[0-9a-f]{" + hex + "}"), f + " " + f.checksum());
        }
        assertEquals(Datasets.all().size(), Datasets.all().stream().map(DataFile::relativePath).distinct().count());
    }
}
