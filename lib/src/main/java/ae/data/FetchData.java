package ae.data;

import ae.Settings;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code make data}: every data set the notebooks read, fetched into the download cache ({@code AE_DATA}, default
 * {@code data/}) and verified against the registry's checksums ({@code ae.Datasets}), so that a machine, a classroom or
 * a container image can then run every notebook without the network. Files already in the cache are checked, not
 * fetched again. Sources are the cache's own: {@code AE_DATA_MIRROR} first, then the publishers' URLs.
 *
 * <p>CIFAR-10, as its loader ({@code ae.Cifar10}) chooses: the whole archive if the cache or the mirror has it, else the
 * course's subset if they have that, else the archive is downloaded (163 MB).
 *
 * <pre>java -cp "lib/target/ae-lib-VERSION.jar:lib/target/kernel-lib/*" ae.FetchData</pre>
 * Not for notebooks (they load what they need when they need it), so not public.
 */
final class FetchData {

    private FetchData() {}

    public static void main(String[] args) {
        DataCache cache = new DataCache(Settings.dataDir(), Settings.mirror(), System.out);
        DataCache quiet = new DataCache(Settings.dataDir(), Settings.mirror(), new PrintStream(OutputStream.nullOutputStream()));
        System.out.println("make data: every data set into " + Settings.shown(Settings.dataDir())
                + (Settings.mirror() == null ? "" : " (mirror first: AE_DATA_MIRROR)"));

        Map<String, List<DataFile>> sets = new LinkedHashMap<>();
        for (DataFile f : Datasets.all()) {
            if (f != Datasets.CIFAR10_BINARY) sets.computeIfAbsent(f.dataset(), k -> new ArrayList<>()).add(f);
        }
        boolean whole = cache.find(Datasets.CIFAR10_BINARY) != null;
        boolean subset = !whole && cache.find(Datasets.CIFAR10_SUBSET_TRAIN) != null && cache.find(Datasets.CIFAR10_SUBSET_TEST) != null;
        sets.put(subset ? "cifar-10-subset" : "cifar-10",
                subset ? List.of(Datasets.CIFAR10_SUBSET_TRAIN, Datasets.CIFAR10_SUBSET_TEST) : List.of(Datasets.CIFAR10_BINARY));
        List<DataFile> kittens = new ArrayList<>();
        // AE_LIMIT=N: only the first N photos (what chapter 5 then trains on with the same AE_LIMIT).
        int photos = Math.min(Datasets.KITTENS, Settings.limit(Datasets.KITTENS, Datasets.KITTENS));
        for (int n = 0; n < photos; n++) kittens.add(Datasets.kitten(n));
        sets.put("kittens", kittens);

        int failed = 0;
        for (var set : sets.entrySet()) {
            long bytes = 0;
            long started = System.nanoTime();
            try {
                for (DataFile f : set.getValue()) {
                    Path p = (set.getValue().size() > 10 ? quiet : cache).get(f);
                    bytes += Files.size(p);
                }
                System.out.printf("  %-16s %5d file(s) %8.1f MB  verified (%.0f s)%n", set.getKey(), set.getValue().size(),
                        bytes / 1e6, (System.nanoTime() - started) / 1e9);
            } catch (DataException | java.io.IOException e) {
                failed++;
                System.out.printf("  %-16s FAILED: %s%n", set.getKey(), e.getMessage());
            }
        }
        if (failed > 0) {
            System.out.println("make data: " + failed + " data set(s) missing (see above); run again once the network or the mirror is"
                    + " there. A mirror with only some kitten photos: AE_LIMIT=<how many> make data takes the first ones.");
            System.exit(1);
        }
        System.out.println("make data: all " + sets.size() + " data sets are in the cache; the notebooks need no network for them.");
    }
}
