package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The limits read from fake /proc and /sys trees (cgroup v1, v2, hybrid, none), and the banner's judgement. */
class LimitsTest {

    static final long MB = Limits.MB, GB = 1L << 30;

    @TempDir
    Path root;

    @AfterEach
    void restore() {
        Limits.use(null);
        Settings.useEnvironment(System.getenv());
    }

    private void write(String path, String text) throws IOException {
        Path p = root.resolve(path);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private void meminfo(long availableMb, long rssMb) throws IOException {
        write("proc/meminfo", "MemTotal:       24684000 kB\nMemFree:         1000000 kB\nMemAvailable:   " + availableMb * 1024 + " kB\n");
        write("proc/self/status", "Name:\tjava\nVmHWM:\t  400000 kB\nVmRSS:\t  " + rssMb * 1024 + " kB\n");
    }

    /** A podman/docker container on cgroup v1 (what `podman run --memory 2g --cpus 1` gave on the course's CI machine):
     * every controller mounted at the container's own group, which /proc/self/cgroup names by its host path. */
    @Test
    void aCgroupV1ContainerGivesItsMemoryLimitAndCpuQuota() throws IOException {
        String group = "/libpod_parent/libpod-4a165bca";
        write("proc/self/cgroup", "9:name=systemd:" + group + "\n4:memory:" + group + "\n2:cpuacct:" + group + "\n1:cpu:" + group + "\n0::" + group + "\n");
        write("proc/self/mountinfo", String.join("\n",
                "91 83 0:48 / /sys/fs/cgroup rw,nosuid - tmpfs tmpfs rw,mode=755",
                "92 91 0:29 " + group + " /sys/fs/cgroup/cpu ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,cpu",
                "93 91 0:30 " + group + " /sys/fs/cgroup/cpuacct ro,nosuid - cgroup cgroup rw,cpuacct",
                "95 91 0:32 " + group + " /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime - cgroup cgroup rw,memory", ""));
        write("sys/fs/cgroup/memory/memory.limit_in_bytes", "2147483648\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "100000\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        meminfo(20_000, 300);
        Limits.Here h = Limits.read(root, 2, null, 512 * MB, GB, 1900 * MB);
        assertEquals(2 * GB, h.cgroupBytes());
        assertEquals("cgroup v1 memory.limit_in_bytes", h.cgroupSource());
        assertEquals(1.0, h.cpus(), 1e-9);
        assertEquals(1.0, h.parallelism(), 1e-9);
        // the container's 2 GB less the server's share (1,900 MB) and JavaCPP's cap (1,900 MB): the same here; the container's
        // limit is the one that stops the kernel
        assertEquals(1900 * MB, h.roomBytes());
        assertEquals("1 CPU (cgroup v1 cpu.cfs_quota_us), memory limit 2.00 GB (cgroup v1 memory.limit_in_bytes);"
                + " the kernel may use 1.86 GB (the 2.00 GB memory limit less the Jupyter server's share)", h.describe());
        assertEquals(1700 * MB + Limits.JAVACPP_OVERSHOOT, Limits.read(root, 2, null, 512 * MB, GB, 1700 * MB).roomBytes());
        assertTrue(Limits.read(root, 2, null, 512 * MB, GB, 1700 * MB).describe().endsWith("(JavaCPP's cap, AE_KERNEL_MEMORY)"));
        // without JavaCPP's cap the container decides
        Limits.Here loose = Limits.read(root, 2, "2", 512 * MB, GB, 0);
        assertEquals(2 * GB - Limits.SERVER_BYTES, loose.roomBytes());
        assertTrue(loose.describe().endsWith("(the 2.00 GB memory limit less the Jupyter server's share)"), loose.describe());
        assertEquals(1.0, loose.parallelism(), 1e-9, "two OpenMP threads still share one CPU's quota");
    }

    /** Kubernetes (Binder) on cgroup v2, seen without a cgroup namespace: the limit sits on the pod's group, above the
     * container's, and the quota on the container's. */
    @Test
    void aCgroupV2LimitIsTheLowestOnTheWayUp() throws IOException {
        write("proc/self/cgroup", "0::/kubepods/burstable/pod1/c1\n");
        write("proc/self/mountinfo", "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");
        write("sys/fs/cgroup/kubepods/burstable/pod1/c1/memory.max", "max\n");
        write("sys/fs/cgroup/kubepods/burstable/pod1/c1/cpu.max", "150000 100000\n");
        write("sys/fs/cgroup/kubepods/burstable/pod1/memory.max", "2147483648\n");
        write("sys/fs/cgroup/kubepods/burstable/pod1/cpu.max", "max 100000\n");
        write("sys/fs/cgroup/kubepods/memory.max", "8589934592\n");
        meminfo(900, 300);   // the machine has less available than the limit: that binds
        Limits.Here h = Limits.read(root, 4, "8", 512 * MB, GB, 0);
        assertEquals(2 * GB, h.cgroupBytes());
        assertEquals("cgroup v2 memory.max", h.cgroupSource());
        assertEquals(1.5, h.cpus(), 1e-9);
        assertEquals(1200 * MB, h.roomBytes());
        assertTrue(h.describe().startsWith("1.5 CPUs (cgroup v2 cpu.max), memory limit 2.00 GB (cgroup v2 memory.max);"
                + " the kernel may use 1.17 GB (the memory this machine has available)"), h.describe());
    }

    /** Inside a container on cgroup v2 with its own namespace: "0::/" and the limit at the mount's root. */
    @Test
    void aCgroupV2ContainerReadsItsOwnRoot() throws IOException {
        write("proc/self/cgroup", "0::/\n");
        write("proc/self/mountinfo", "700 690 0:30 / /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n");
        write("sys/fs/cgroup/memory.max", "1073741824\n");
        write("sys/fs/cgroup/cpu.max", "100000 100000\n");
        Limits.Here h = Limits.read(root, 2, null, 256 * MB, 0, 0);
        assertEquals(GB, h.cgroupBytes());
        assertEquals(1.0, h.cpus(), 1e-9);
        assertEquals(0, h.availableBytes(), "no /proc/meminfo: unknown, not zero memory");
        assertEquals(GB - Limits.SERVER_BYTES, h.roomBytes());
    }

    /** This machine's kind: hybrid (v1 controllers, an empty v2 hierarchy), no limit anywhere; a mount point with a space. */
    @Test
    void aHybridHostWithoutLimitsHasOnlyItsAvailableMemory() throws IOException {
        write("proc/self/cgroup", "4:memory:/process_api/ffe2\n2:cpuacct:/\n1:cpu:/\n0::/\n");
        write("proc/self/mountinfo", String.join("\n",
                "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu",
                "35 31 0:32 / /sys/fs/cgroup/mem\\040ory rw,relatime - cgroup cgroup rw,memory",
                "40 31 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw", ""));
        write("sys/fs/cgroup/mem ory/process_api/ffe2/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/mem ory/memory.limit_in_bytes", "9223372036854771712\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu/cpu.cfs_period_us", "100000\n");
        meminfo(20_000, 300);
        Limits.Here h = Limits.read(root, 2, null, 512 * MB, GB, 2 * GB);
        assertEquals(0, h.cgroupBytes());
        assertEquals(2.0, h.cpus(), 1e-9);
        assertEquals(2 * GB + Limits.JAVACPP_OVERSHOOT, h.roomBytes(), "JavaCPP's cap is below the 20 GB available");
        // a v1 limit on the group itself (a process_api group with a cap) is found below the mount point
        write("sys/fs/cgroup/mem ory/process_api/ffe2/memory.limit_in_bytes", "3221225472\n");
        assertEquals(3 * GB, Limits.read(root, 2, null, 512 * MB, GB, 2 * GB).cgroupBytes());
    }

    @Test
    void nothingReadableIsNoLimitAndNoError() throws IOException {
        Limits.Here h = Limits.read(root.resolve("nothing"), 3, "not a number", 512 * MB, 0, 0);
        assertEquals(3.0, h.cpus(), 1e-9);
        assertEquals(0, h.roomBytes());
        write("proc/self/mountinfo", "garbage line\n1 2 3\n");
        write("proc/self/cgroup", "bad\n");
        assertEquals(0, Limits.read(root, 1, null, 0, 0, 0).cgroupBytes());
        assertEquals("1 CPU", Limits.read(root, 1, null, 0, 0, 0).describe());
    }

    @Test
    void theProcessSeesItsOwnLimits() {
        Limits.Here h = Limits.here();
        assertTrue(h.cores() >= 1 && h.heapBytes() > 0, h.toString());
        assertTrue(h.describe().matches("\\d.* CPUs?.*"), h.describe());
    }

    // --- the judgement -------------------------------------------------------------------------------------------

    /** Binder: 1 CPU, 2 GB, the image's JavaCPP cap 1,900 MB. */
    static final Limits.Here BINDER = new Limits.Here(2, 1.0, "cgroup v1 cpu.cfs_quota_us", 1, 2 * GB, "cgroup v1 memory.limit_in_bytes",
            20 * GB, 512 * MB, GB, 1900 * MB);
    /** A roomy 2-core laptop without limits, JavaCPP's cap raised to 4 GB. */
    static final Limits.Here ROOMY = new Limits.Here(2, 0, null, 0, 0, null, 20 * GB, 512 * MB, GB, 4 * GB);
    /** The same laptop with the course's default caps (JavaCPP 2 GB for the process). */
    static final Limits.Here LAPTOP = new Limits.Here(2, 0, null, 0, 0, null, 20 * GB, 512 * MB, GB, 2 * GB);

    /** A chapter like chapter 4: recorded full run 32 min on 2 cores, 2.17 GB; fast mode 1.00 GB at 6,000 samples. */
    static Limits.Chapter mnistLike(long fastMb) {
        return new Limits.Chapter("04-mnist-denoising", Math.round(2.17 * GB), 32 * 60, 2, 0, fastMb * MB,
                new Settings.Pair(35, 3), new Settings.Pair(60_000, 6_000));
    }

    @Test
    void whereEverythingFitsTheBannerAddsNothing() {
        Limits.Chapter c = mnistLike(1024);
        assertEquals(List.of(), Limits.advice(c, ROOMY, true, null, null));
        assertEquals(List.of(), Limits.advice(c, ROOMY, false, null, null));
        assertEquals(List.of(), Limits.advice(null, BINDER, true, null, null), "no record: nothing to judge by");
    }

    @Test
    void fastModeOnBinderSaysWhatFullModeWouldDoAndOffersSettingsThatFit() {
        List<String> lines = Limits.advice(mnistLike(1024), BINDER, true, null, null);
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("Here: 1 CPU (cgroup v1 cpu.cfs_quota_us), memory limit 2.00 GB"), lines.get(0));
        assertEquals("Full mode here: it needs about 2.17 GB (the recorded full run's peak): more than the kernel may use here, the kernel"
                + " would die (out of memory); it takes about 64 min on 1 CPU (the recorded full run's 32 min on 2 CPUs, scaled).",
                lines.get(1));
        // room 1,900 MB x 0.9 = 1,710 MB; 1,024 MB at 6,000 and 2,222 MB at 60,000: 36,9xx samples -> 36,000; 64 min x 0.6 = 38 min
        assertEquals("Settings that fit here: AE_MODE=full AE_LIMIT=36000 (estimated: about 1.65 GB, 38 min).", lines.get(2));
    }

    @Test
    void aFullRunThatCannotFitWarnsAndTheOfferedSettingsAreThenAccepted() {
        Limits.Chapter c = mnistLike(1024);
        List<String> lines = Limits.advice(c, BINDER, false, null, null);
        assertTrue(lines.get(0).startsWith("WARNING Here: 1 CPU"), lines.toString());
        assertTrue(lines.get(1).startsWith("This full run: it needs about 2.17 GB (the recorded full run's peak): more than"), lines.get(1));
        assertEquals("Settings that fit here: AE_MODE=full AE_LIMIT=36000 (estimated: about 1.65 GB, 38 min).", lines.get(2));
        List<String> accepted = Limits.advice(c, BINDER, false, null, 36_000);
        assertEquals(1, accepted.size(), accepted.toString());
        assertTrue(accepted.get(0).endsWith("These settings fit: about 1.65 GB and 38 min (estimated from the recorded full run)."), accepted.get(0));
        // more samples than fit: still a warning, estimated
        List<String> tooMany = Limits.advice(c, BINDER, false, null, 50_000);
        assertTrue(tooMany.get(1).startsWith("This run: it needs about 1.95 GB (estimated from the recorded full run): more than"), tooMany.toString());
    }

    @Test
    void aLongRunIsOfferedFewerEpochs() {
        // enough memory, one CPU: 2 h 10 min on 2 cores becomes 4 h 20 min
        Limits.Here oneCpu = new Limits.Here(4, 1.0, "cgroup v2 cpu.max", 0, 8 * GB, "cgroup v2 memory.max", 20 * GB, 512 * MB, GB, 0);
        Limits.Chapter slow = new Limits.Chapter("05-kittens", Math.round(1.5 * GB), 130 * 60, 2, 0, 900 * MB,
                new Settings.Pair(25, 2), new Settings.Pair(8_192, 300));
        List<String> lines = Limits.advice(slow, oneCpu, false, null, null);
        assertTrue(lines.get(1).contains("it takes about 260 min on 1 CPU (the recorded full run's 130 min on 2 CPUs, scaled)"), lines.toString());
        // 25 epochs x 60 / 260 = 5.8 -> 5 epochs: 52 min
        assertEquals("Settings that fit here: AE_MODE=full AE_EPOCHS=5 (estimated: about 1.50 GB, 52 min).", lines.get(2));
        // on 2 cores like the recording machine's it is still over an hour: said, with no scaling
        lines = Limits.advice(slow, ROOMY, false, null, null);
        assertEquals("This full run: it needs about 1.50 GB (the recorded full run's peak); it takes about 130 min on 2 CPUs.", lines.get(1));
        assertEquals("Settings that fit here: AE_MODE=full AE_EPOCHS=11 (estimated: about 1.50 GB, 57 min).", lines.get(2));
    }

    @Test
    void aJavaCppCapBelowTheNeedIsOfferedRaisedWhereTheMachineHasRoom() {
        List<String> lines = Limits.advice(mnistLike(1024), LAPTOP, false, null, null);
        assertTrue(lines.get(0).endsWith("the kernel may use 2.10 GB (JavaCPP's cap, AE_KERNEL_MEMORY)."), lines.toString());
        assertTrue(lines.get(1).startsWith("This full run: it needs about 2.17 GB (the recorded full run's peak): above JavaCPP's cap,"
                + " it may stop with an OutOfMemoryError; it takes about 32 min on 2 CPUs."), lines.toString());
        // 2.17 GB / 0.9 = 2,470 MB -> 2,500 MB
        assertTrue(lines.get(2).startsWith("Settings that fit here: AE_MODE=full AE_LIMIT=46000 (estimated: about 1.87 GB, 25 min)."
                + " Or keep all samples: raise JavaCPP's cap, AE_KERNEL_MEMORY=\"-Xmx512m -XX:+UseSerialGC -Dorg.bytedeco.javacpp.maxbytes=1024m"
                + " -Dorg.bytedeco.javacpp.maxphysicalbytes=2500m\""), lines.toString());
        // inside a container's limit the cap cannot rise above it: no such offer
        Limits.Here boxed = new Limits.Here(2, 0, null, 0, 2 * GB + 500 * MB, "cgroup v2 memory.max", 20 * GB, 512 * MB, GB, 2 * GB);
        assertFalse(Limits.offer(mnistLike(1024), boxed).contains("AE_KERNEL_MEMORY"), Limits.offer(mnistLike(1024), boxed));
    }

    @Test
    void fastModeThatCannotFitSaysHowMuchToAskFor() {
        Limits.Here small = new Limits.Here(1, 0, null, 0, GB, "cgroup v2 memory.max", 20 * GB, 512 * MB, GB, 0);
        List<String> lines = Limits.advice(mnistLike(1024), small, true, null, null);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("This run may not fit: it needs about 1.00 GB (fast mode's measured peak), more than the kernel may use here,"
                + " the kernel would die (out of memory). Ask for at least 1.14 GB of memory.", lines.get(1));
        // and full mode: no sample count fits
        assertTrue(Limits.offer(mnistLike(1024), small).startsWith("No sample count makes full mode fit here: ask for 2.31 GB of memory"));
    }

    @Test
    void memoryIsInterpolatedBetweenTheTwoMeasuredPointsAndTimeScales() {
        Limits.Chapter c = mnistLike(1024);
        assertEquals(1024 * MB, c.bytes(6_000));
        assertEquals(1024 * MB, c.bytes(100));
        assertEquals(c.fullBytes(), c.bytes(60_000));
        assertEquals(c.fullBytes(), c.bytes(null));
        assertEquals((1024 * MB + c.fullBytes()) / 2.0, c.bytes(33_000), MB);
        assertEquals(32 * 60, c.seconds(null, null, ROOMY), 1e-9);
        // with the record's CPU time: work that did not keep both cores busy loses less on one CPU
        Limits.Chapter small = new Limits.Chapter("01-iris", 800 * MB, 400, 2, 300, 0, new Settings.Pair(250, 100), null);
        assertEquals(400, small.seconds(null, null, ROOMY), 1e-9);
        assertEquals(400, small.seconds(null, null, BINDER), 1e-9, "never faster than the recorded run: max(400, min(800, 300))");
        Limits.Chapter busy = new Limits.Chapter("04-x", 800 * MB, 1000, 2, 1600, 0, null, null);
        assertEquals(1600, busy.seconds(null, null, BINDER), 1e-9, "min(2,000 s scaled, 1,600 s of CPU time)");
        assertEquals(32 * 60 * 2 * 0.5 * 10 / 35.0, c.seconds(30_000, 10, BINDER), 1e-6);
        // a chapter whose full size is "all there is" (Integer.MAX_VALUE) has no sample count to offer
        Limits.Chapter all = new Limits.Chapter("02-cifar-horses", 3 * GB, 60, 2, 0, GB, new Settings.Pair(100, 40),
                new Settings.Pair(Integer.MAX_VALUE, 340));
        assertEquals(0, all.samplesFitting(2 * GB));
        assertEquals(43_000, Limits.twoFigures(43_712));
        assertEquals(99, Limits.twoFigures(99));
    }

    // --- the banner, end to end ----------------------------------------------------------------------------------

    private Path project(String record, String fast) throws IOException {
        write("p/notebooks/.keep", "");
        write("p/pom.xml", "<project/>");
        if (record != null) write("p/runs/04-mnist-denoising.json", record);
        if (fast != null) write("p/runs/fast-mode.json", fast);
        return root.resolve("p");
    }

    static final String RECORD = "{\"notebook\": \"04-mnist-denoising\", \"recorded\": \"2026-12-05T10:00:00Z\", \"wall_seconds\": 1920,"
            + " \"kernel_peak_rss_mb\": 2222.1, \"load_at_start\": 0.1, \"kernel\": {\"threads\": {\"OMP_NUM_THREADS\": \"2\"}},"
            + " \"machine\": {\"cpu\": \"AMD EPYC\", \"cores\": 2, \"memory_mb\": 24105, \"os\": \"Linux x86_64\"}}";
    static final String FAST = "{\"chapters\": {\"04-mnist-denoising\": {\"kernel_peak_rss_mb\": 1024}}}";

    @Test
    void theBannerOnBinderEndsWithTheLimitsAndTheOffer() throws IOException {
        Path home = project(RECORD, FAST);
        Limits.use(BINDER);
        Settings.useEnvironment(Map.of("AE_MODE", "fast", "AE_HOME", home.toString()));
        int epochs = Settings.epochs(35, 3), n = Settings.limit(60_000, 6_000);
        String banner = Settings.banner("04-mnist-denoising", n + " images, " + epochs + " epochs", "60,000 images, 35 epochs");
        String[] lines = banner.split("\n");
        assertEquals("FAST mode: this run trains on 6000 images, 3 epochs.", lines[0]);
        assertTrue(lines[2].startsWith("Recorded full run: 32 min, kernel peak memory 2.17 GB"), banner);
        assertTrue(lines[4].startsWith("Here: 1 CPU"), banner);
        assertTrue(lines[5].startsWith("Full mode here: it needs about 2.17 GB"), banner);
        assertEquals("Settings that fit here: AE_MODE=full AE_LIMIT=36000 (estimated: about 1.65 GB, 38 min).", lines[6]);
        // full mode: the warning first thing, from the same record
        Settings.useEnvironment(Map.of("AE_HOME", home.toString()));
        Settings.epochs(35, 3);
        Settings.limit(60_000, 6_000);
        banner = Settings.banner("04-mnist-denoising", "60,000 images, 35 epochs", "60,000 images, 35 epochs");
        assertTrue(banner.contains("\nWARNING Here: 1 CPU"), banner);
        assertTrue(banner.endsWith("Settings that fit here: AE_MODE=full AE_LIMIT=36000 (estimated: about 1.65 GB, 38 min)."), banner);
        // a roomy machine: the banner as before
        Limits.use(ROOMY);
        assertFalse(Settings.banner("04-mnist-denoising", "a", "b").contains("Here"));
    }

    @Test
    void aBrokenFastModeFileIsAClearErrorAndABrokenRecordInFullModeGivesNoAdvice() throws IOException {
        Path home = project(RECORD, "{not json");
        Limits.use(BINDER);
        Settings.useEnvironment(Map.of("AE_MODE", "fast", "AE_HOME", home.toString()));
        var e = assertThrows(IllegalStateException.class, () -> Settings.banner("04-mnist-denoising", "a", "b"));
        assertTrue(e.getMessage().startsWith("runs/fast-mode.json cannot be read") && e.getMessage().contains("scripts/fast_needs.py"),
                e.getMessage());
        home = project("{\"wall_seconds\": 3", FAST);
        Settings.useEnvironment(Map.of("AE_HOME", home.toString()));
        String banner = Settings.banner("04-mnist-denoising", "a", "b");
        assertFalse(banner.contains("Here") || banner.contains("GB"), banner);
    }

    @Test
    void theCliReadsTheSizesANotebookAsksFor() throws IOException {
        write("p/pom.xml", "<project/>");
        write("p/notebooks/02-x.ipynb", "{\"cells\": [{\"cell_type\": \"markdown\", \"source\": \"Settings.epochs(1, 1)\"},"
                + " {\"cell_type\": \"code\", \"source\": [\"int e = Settings.epochs(100, 40);\\n\", \"int n = Settings.limit(Integer.MAX_VALUE, 340);\"]},"
                + " {\"cell_type\": \"code\", \"source\": \"int c = Settings.epochs(250, 50);\"}]}");
        Settings.useEnvironment(Map.of("AE_HOME", root.resolve("p").toString()));
        Settings.Pair[] sizes = Limits.sizesAsked("02-x");
        assertEquals(new Settings.Pair(100, 40), sizes[0]);
        assertEquals(new Settings.Pair(Integer.MAX_VALUE, 340), sizes[1]);
        assertArrayEquals(new Settings.Pair[2], Limits.sizesAsked("03-none"));
    }
}
