package ae;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the kernel may use where it runs, and whether a chapter fits there: the banner's judgement
 * ({@link Settings#banner(String, String, String)} adds its lines).
 *
 * <p>The limits, read when asked: the memory limit of the kernel's control group (cgroup v1 {@code
 * memory.limit_in_bytes} or v2 {@code memory.max}, the lowest on the way up from the kernel's own group), the machine's
 * available memory, JavaCPP's cap for the process ({@code org.bytedeco.javacpp.maxphysicalbytes}), the CPU quota
 * ({@code cpu.cfs_quota_us} / {@code cpu.max}), the cores the JVM may run on and {@code OMP_NUM_THREADS}.
 *
 * <p>What a chapter needs, from one source each: full mode from its recorded full run ({@code runs/<stem>.json}: the
 * kernel's peak memory, the wall time on the recording machine's cores, scaled to the cores at hand); fast mode from
 * {@code runs/fast-mode.json}, the peak measured by the tests' own runs (scripts/fast_needs.py writes it, and
 * tests/test_notebooks.py fails a run that exceeds it). Between the two sample counts ({@code Settings.limit(full,
 * fast)}) memory is interpolated linearly; time scales with samples and epochs. Estimates, and said so.
 *
 * <p>{@code java -cp ... ae.Limits [stem ...]} prints the limits seen and, for each stem, what the banner would add.
 */
public final class Limits {

    static final long MB = 1L << 20;
    /**
     * What the Jupyter server (or the headless runner) takes beside the kernel inside one memory limit (a container):
     * its measured peak RSS was 84-100 MB (docs/container.md; scripts/image_test.sh fails above this). The image's
     * JavaCPP cap (Dockerfile, {@code maxphysicalbytes=1900m}) is what is left of Binder's 2 GB.
     */
    public static final long SERVER_BYTES = 148 * MB;
    /**
     * How far above JavaCPP's process cap a kernel's peak goes: JavaCPP checks the cap when it allocates and collects
     * garbage there, but the JVM's own memory and oneDNN's buffers come on top. Measured 2026-12-03 with the 1.8 GB cap:
     * full runs peaked at 1,879 MB (chapter 3) and 1,888 MB (chapter 5) and finished.
     */
    static final long JAVACPP_OVERSHOOT = 100 * MB;
    /** A run longer than this is worth a warning ("would take over an hour"), and offered settings aim below it. */
    static final double LONG_SECONDS = 3600;
    /** Offered settings aim at this much of the kernel's memory: the interpolation is rough. */
    static final double MEMORY_MARGIN = 0.9;
    /** A cgroup v1 memory limit this high means none (the kernel writes 2^63 rounded down to a page). */
    private static final long UNLIMITED = 1L << 60;

    private static volatile Here override;
    private Limits() {}

    /**
     * The limits at hand.
     *
     * @param cores          processors the JVM may run on (affinity; the JVM's own count also applies the quota)
     * @param cpuQuota       CPUs the control group's quota allows, 0 for none
     * @param cpuSource      where the quota comes from ("cgroup v1 quota"), or null
     * @param ompThreads     OMP_NUM_THREADS where set to a positive number, else 0
     * @param cgroupBytes    the control group's memory limit, 0 for none
     * @param cgroupSource   where it comes from ("cgroup v2 memory.max"), or null
     * @param availableBytes the machine's available memory plus what the kernel holds already, 0 if unknown
     * @param heapBytes      the JVM's maximum heap
     * @param javacppBytes   JavaCPP's cap for native arrays (0: none)
     * @param javacppPhysicalBytes JavaCPP's cap for the process's resident memory (0: none)
     */
    public record Here(int cores, double cpuQuota, String cpuSource, int ompThreads, long cgroupBytes, String cgroupSource,
                       long availableBytes, long heapBytes, long javacppBytes, long javacppPhysicalBytes) {

        /** CPUs this process can keep busy: its cores, or fewer under a quota. */
        public double cpus() {
            return cpuQuota > 0 ? Math.min(cores, cpuQuota) : cores;
        }

        /** CPUs ND4J uses: {@link #cpus()}, or fewer with OMP_NUM_THREADS. */
        public double parallelism() {
            return ompThreads > 0 ? Math.min(ompThreads, cpus()) : cpus();
        }

        /** What the kernel's resident memory may grow to: the lowest of the cgroup limit less the server's share, the
         * machine's available memory, and JavaCPP's cap (0: nothing known limits it). */
        public long roomBytes() {
            long room = Long.MAX_VALUE;
            if (cgroupBytes > 0) room = Math.min(room, Math.max(0, cgroupBytes - SERVER_BYTES));
            if (availableBytes > 0) room = Math.min(room, availableBytes);
            if (javacppPhysicalBytes > 0) room = Math.min(room, javacppPhysicalBytes + JAVACPP_OVERSHOOT);
            return room == Long.MAX_VALUE ? 0 : room;
        }

        /** What binds the kernel's memory. */
        enum Bound { NONE, JAVACPP, CGROUP, AVAILABLE }

        Bound bound() {
            long room = roomBytes();
            if (room == 0) return Bound.NONE;
            if (cgroupBytes > 0 && room == Math.max(0, cgroupBytes - SERVER_BYTES)) return Bound.CGROUP;
            if (availableBytes > 0 && room == availableBytes) return Bound.AVAILABLE;
            return Bound.JAVACPP;
        }

        /** What binds the kernel's memory, for the text: "the container's 2.00 GB less the Jupyter server's share". */
        String roomSource() {
            return switch (bound()) {
                case NONE -> "no limit found";
                case JAVACPP -> "JavaCPP's cap, AE_KERNEL_MEMORY";
                case CGROUP -> "the " + gb(cgroupBytes) + " memory limit less the Jupyter server's share";
                case AVAILABLE -> "the memory this machine has available";
            };
        }

        /** What happens to a run that needs more than the room, after ": ". */
        String overflow() {
            return switch (bound()) {
                case NONE -> "";
                case JAVACPP -> "above JavaCPP's cap, it may stop with an OutOfMemoryError";
                case CGROUP -> "more than the kernel may use here, the kernel would die (out of memory)";
                case AVAILABLE -> "more than this machine has available, it may be stopped (out of memory) unless other programs close";
            };
        }

        /** Whether a JavaCPP cap raised to {@code bytes} would still be within the machine's and the container's limits. */
        boolean capCouldRise(long bytes) {
            return bound() == Bound.JAVACPP && (cgroupBytes == 0 || bytes <= cgroupBytes - SERVER_BYTES)
                    && (availableBytes == 0 || bytes <= availableBytes);
        }

        /** One line: "1 CPU (cgroup v1 quota), memory 2.00 GB (cgroup v1 memory.limit_in_bytes); the kernel may use 1.86 GB". */
        public String describe() {
            StringBuilder s = new StringBuilder(cpusText(cpus()));
            if (cpuQuota > 0 && cpuQuota < cores) s.append(" (").append(cpuSource).append(')');
            if (ompThreads > 0 && ompThreads < cpus()) s.append(", ND4J on ").append(ompThreads).append(" (OMP_NUM_THREADS)");
            if (cgroupBytes > 0) s.append(", memory limit ").append(gb(cgroupBytes)).append(" (").append(cgroupSource).append(')');
            else if (availableBytes > 0) s.append(", ").append(gb(availableBytes)).append(" of memory available");
            long room = roomBytes();
            if (room > 0) s.append("; the kernel may use ").append(gb(room)).append(" (").append(roomSource()).append(')');
            return s.toString();
        }
    }

    /** A chapter's two measured points and how its sizes are set (from the Settings calls before the banner). */
    record Chapter(String stem, long fullBytes, double fullSeconds, double recordedParallelism, double fullCpuSeconds,
                   long fastBytes, Settings.Pair epochs, Settings.Pair limit) {

        /** Peak memory with n samples: the full run's at the full count, fast mode's at the fast count, linear between. */
        long bytes(Integer n) {
            if (limit == null || n == null || fastBytes <= 0 || limit.full() <= limit.fast() || limit.full() == Integer.MAX_VALUE)
                return fullBytes;
            if (n >= limit.full()) return fullBytes;
            if (n <= limit.fast()) return Math.min(fastBytes, fullBytes);
            double t = (double) (n - limit.fast()) / (limit.full() - limit.fast());
            return Math.round(fastBytes + t * (fullBytes - fastBytes));
        }

        /** Wall time here in full mode with n samples and e epochs: the recorded run's, scaled. */
        double seconds(Integer n, Integer e, Here here) {
            double s = fullSeconds;
            double p = Math.max(here.parallelism(), 0.01);
            if (p < recordedParallelism) {
                // fewer CPUs: the wall time scaled by the CPUs, or the work itself (the kernel's CPU time, where the
                // record has it) spread over these: whichever is less (work that did not use every core, e.g. chapter
                // 1's small updates, loses nothing on fewer)
                s = fullSeconds * recordedParallelism / p;
                if (fullCpuSeconds > 0) s = Math.max(fullSeconds, Math.min(s, fullCpuSeconds / p));
            }
            if (e != null && epochs != null && epochs.full() > 0) s *= (double) e / epochs.full();
            if (n != null && limit != null && limit.full() != Integer.MAX_VALUE && n < limit.full()) s *= (double) n / limit.full();
            return s;
        }

        /** The largest sample count whose memory fits in {@code room} bytes, rounded down to two figures; 0 if none. */
        int samplesFitting(long room) {
            if (limit == null || limit.full() == Integer.MAX_VALUE || fastBytes <= 0 || limit.full() <= limit.fast()) return 0;
            if (fullBytes <= room) return limit.full();
            if (fastBytes > room || fullBytes <= fastBytes) return 0;
            double n = limit.fast() + (double) (room - fastBytes) / (fullBytes - fastBytes) * (limit.full() - limit.fast());
            return Math.max(limit.fast(), twoFigures((int) n));
        }
    }

    // --- reading the limits -----------------------------------------------------------------------------------------

    /** The limits of this process (for tests: those given to {@link #use(Here)}). */
    public static Here here() {
        Here h = override;
        if (h != null) return h;
        // the -Xmx asked for (the JVM reports a little less as its maximum: one survivor space does not count)
        long heap = Runtime.getRuntime().maxMemory();
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments())
            if (arg.startsWith("-Xmx")) {
                try {
                    heap = parseBytes(arg.substring(4));
                } catch (IllegalArgumentException e) {
                    // keep the JVM's figure
                }
            }
        long javacpp = 0, physical = 0;
        try {
            javacpp = org.bytedeco.javacpp.Pointer.maxBytes();
            physical = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        } catch (Throwable e) {
            // no JavaCPP natives here: its caps do not apply
        }
        return read(Path.of("/"), Runtime.getRuntime().availableProcessors(), Settings.get("OMP_NUM_THREADS"), heap, javacpp, physical);
    }

    /** For tests: judge against these limits instead of the process's (null: the process's again). */
    static void use(Here here) {
        override = here;
    }

    /**
     * The limits seen under {@code root} (the file system's root; tests give a folder with fake {@code proc/} and
     * {@code sys/} files). Nothing here throws: a file that is missing or cannot be read is a limit not found.
     */
    static Here read(Path root, int processors, String omp, long heap, long javacpp, long physical) {
        Map<String, String> groups = groups(root);
        List<Mount> mounts = mounts(root);
        long memory = 0;
        String memorySource = null;
        double quota = 0;
        String cpuSource = null;
        for (Mount m : mounts) {
            if (m.v2) {
                long v = lowest(root, m, groups.get(""), "memory.max", Limits::bytes);
                if (v > 0 && (memory == 0 || v < memory)) { memory = v; memorySource = "cgroup v2 memory.max"; }
                double q = lowestCpu(root, m, groups.get(""), true);
                if (q > 0 && (quota == 0 || q < quota)) { quota = q; cpuSource = "cgroup v2 cpu.max"; }
            } else {
                if (m.controllers.contains("memory")) {
                    long v = lowest(root, m, groups.get("memory"), "memory.limit_in_bytes", Limits::bytes);
                    if (v > 0 && (memory == 0 || v < memory)) { memory = v; memorySource = "cgroup v1 memory.limit_in_bytes"; }
                }
                if (m.controllers.contains("cpu")) {
                    double q = lowestCpu(root, m, groups.get("cpu"), false);
                    if (q > 0 && (quota == 0 || q < quota)) { quota = q; cpuSource = "cgroup v1 cpu.cfs_quota_us"; }
                }
            }
        }
        Map<String, Long> meminfo = keyedKb(root.resolve("proc/meminfo"));
        Map<String, Long> status = keyedKb(root.resolve("proc/self/status"));
        long available = meminfo.containsKey("MemAvailable") ? (meminfo.get("MemAvailable") + status.getOrDefault("VmRSS", 0L)) * 1024 : 0;
        int threads = 0;
        if (omp != null && omp.trim().matches("\\d+")) threads = Integer.parseInt(omp.trim());
        return new Here(processors, quota, cpuSource, threads, memory, memorySource, available, heap, javacpp, physical);
    }

    /** A cgroup mount: where it is, the group path at its root, v2 or the v1 controllers it carries. */
    private record Mount(String root, Path point, boolean v2, List<String> controllers) {}

    /** /proc/self/mountinfo's cgroup mounts: "id parent dev ROOT MOUNTPOINT opts [optional...] - TYPE source SUPEROPTS". */
    private static List<Mount> mounts(Path root) {
        List<Mount> out = new ArrayList<>();
        for (String line : lines(root.resolve("proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            int dash = List.of(f).indexOf("-");
            if (dash < 5 || dash + 3 > f.length) continue;
            String type = f[dash + 1];
            if (type.equals("cgroup2")) out.add(new Mount(unescape(f[3]), Path.of(unescape(f[4])), true, List.of()));
            else if (type.equals("cgroup")) out.add(new Mount(unescape(f[3]), Path.of(unescape(f[4])), false, List.of(f[dash + 3].split(","))));
        }
        return out;
    }

    /** /proc/self/cgroup: controller -> group path ("" for cgroup v2's "0::/path"). */
    private static Map<String, String> groups(Path root) {
        Map<String, String> out = new HashMap<>();
        for (String line : lines(root.resolve("proc/self/cgroup"))) {
            String[] f = line.split(":", 3);
            if (f.length < 3) continue;
            if (f[1].isEmpty()) out.put("", f[2]);
            else for (String c : f[1].split(",")) out.put(c, f[2]);
        }
        return out;
    }

    private interface Parse { long parse(String text); }

    /** The lowest positive value of {@code file} from the process's group up to the mount's root (limits nest). */
    private static long lowest(Path root, Mount m, String group, String file, Parse parse) {
        long best = 0;
        for (Path dir : chain(root, m, group)) {
            String text = first(dir.resolve(file));
            if (text == null) continue;
            long v = parse.parse(text);
            if (v > 0 && (best == 0 || v < best)) best = v;
        }
        return best;
    }

    private static double lowestCpu(Path root, Mount m, String group, boolean v2) {
        double best = 0;
        for (Path dir : chain(root, m, group)) {
            double q = 0;
            if (v2) {
                String text = first(dir.resolve("cpu.max"));
                if (text == null) continue;
                String[] f = text.trim().split("\\s+");
                if (f.length == 2 && !f[0].equals("max")) q = ratio(f[0], f[1]);
            } else {
                String quota = first(dir.resolve("cpu.cfs_quota_us")), period = first(dir.resolve("cpu.cfs_period_us"));
                if (quota == null || period == null) continue;
                q = ratio(quota.trim(), period.trim());
            }
            if (q > 0 && (best == 0 || q < best)) best = q;
        }
        return best;
    }

    /** The group's folder under the mount, then each parent up to the mount point. A group outside the mount's root
     * (another cgroup namespace: a container) is the mount point itself. */
    private static List<Path> chain(Path root, Mount m, String group) {
        Path point = root.resolve(m.point.toString().substring(1));
        Path dir = point;
        if (group != null) {
            String mountRoot = m.root.equals("/") ? "" : m.root;
            if (group.equals(m.root) || group.startsWith(mountRoot + "/")) {
                String rel = group.substring(mountRoot.length()).replaceFirst("^/+", "");
                if (!rel.isEmpty() && Files.isDirectory(point.resolve(rel))) dir = point.resolve(rel);
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path p = dir; p != null && p.startsWith(point); p = p.getParent()) out.add(p);
        return out;
    }

    private static long bytes(String text) {
        String t = text.trim();
        if (!t.matches("\\d+")) return 0;   // "max", "-1"
        try {
            long v = Long.parseLong(t);
            return v >= UNLIMITED ? 0 : v;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double ratio(String quota, String period) {
        if (!quota.matches("\\d+") || !period.matches("\\d+")) return 0;   // "-1": no quota
        double p = Double.parseDouble(period);
        return p > 0 ? Double.parseDouble(quota) / p : 0;
    }

    private static Map<String, Long> keyedKb(Path file) {
        Map<String, Long> out = new HashMap<>();
        for (String line : lines(file)) {
            String[] f = line.split(":\\s*", 2);
            if (f.length == 2 && f[1].matches("\\d+ kB")) out.put(f[0], Long.parseLong(f[1].split(" ")[0]));
        }
        return out;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String first(Path file) {
        List<String> l = lines(file);
        return l.isEmpty() ? null : l.get(0);
    }

    private static String unescape(String s) {
        return s.replace("\\040", " ").replace("\\011", "\t").replace("\\134", "\\");
    }

    // --- what a chapter needs, and the banner's judgement ----------------------------------------------------------

    /** runs/fast-mode.json: what each chapter's fast mode needs, measured (scripts/fast_needs.py). */
    static final String FAST_FILE = "fast-mode.json";

    /** Fast mode's measured need of a chapter in bytes, 0 if not measured; a file that cannot be read is an error. */
    static long fastBytes(String stem) {
        Path file = Settings.home().resolve("runs").resolve(FAST_FILE);
        if (!Files.isRegularFile(file)) return 0;
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException("runs/" + FAST_FILE + " cannot be read (" + e.getClass().getSimpleName() + "): restore it"
                    + " with git (git checkout -- runs/" + FAST_FILE + ") or write it again (python scripts/fast_needs.py)", e);
        }
        JsonNode mb = n.path("chapters").path(stem).path("kernel_peak_rss_mb");
        return mb.isNumber() ? Math.round(mb.asDouble() * MB) : 0;
    }

    /** The chapter as the record and the fast-mode file give it; null without a record. */
    static Chapter chapter(String stem, JsonNode record, Settings.Pair epochs, Settings.Pair limit) {
        if (record == null) return null;
        double cores = record.path("machine").path("cores").asDouble(1);
        String omp = record.path("kernel").path("threads").path("OMP_NUM_THREADS").asText("");
        if (omp.matches("\\d+") && Integer.parseInt(omp) > 0) cores = Math.min(cores, Integer.parseInt(omp));
        return new Chapter(stem, Math.round(record.path("kernel_peak_rss_mb").asDouble() * MB), record.path("wall_seconds").asDouble(),
                cores, record.path("metrics").path("kernel_cpu_seconds").asDouble(0), fastBytes(stem), epochs, limit);
    }

    /**
     * The banner's lines about this machine's limits: none where the chapter fits and takes under an hour; else what
     * binds, the estimate, and settings that fit.
     *
     * @param c      the chapter (null: no record, nothing to judge full mode by)
     * @param fast   whether this run is fast mode
     * @param epochs AE_EPOCHS where set, else null
     * @param limit  AE_LIMIT where set, else null
     */
    static List<String> advice(Chapter c, Here here, boolean fast, Integer epochs, Integer limit) {
        List<String> out = new ArrayList<>();
        if (c == null) return out;
        long room = here.roomBytes();
        String where = "Here: " + here.describe() + ".";
        if (fast) {
            // this run: fast mode's measured need (or, with AE_LIMIT, the interpolation)
            long need = limit == null ? c.fastBytes : c.bytes(limit);
            if (need > 0 && room > 0 && need > room) {
                out.add(where);
                out.add("This run may not fit: it needs about " + gb(need) + (limit == null ? " (fast mode's measured peak)" : " (estimated)")
                        + ", " + here.overflow() + ". " + (here.capCouldRise((long) (need / MEMORY_MARGIN)) ? "R" + raiseCap(here, need).substring(1)
                        : "Ask for at least " + gb(need + SERVER_BYTES) + " of memory."));
                return out;
            }
            // the full run at these limits, for the reader who wonders whether to start it here
            boolean big = room > 0 && c.fullBytes > room;
            double t = c.seconds(null, null, here);
            if (!big && t <= LONG_SECONDS) return out;
            out.add(where);
            out.add("Full mode here: " + verdict(c, here, c.fullBytes, t, true) + ".");
            String offer = offer(c, here);
            if (offer != null) out.add(offer);
            return out;
        }
        Integer n = limit == null ? null : Math.min(limit, c.limit == null ? limit : c.limit.full());
        long need = c.bytes(n);
        double t = c.seconds(n, epochs, here);
        boolean big = room > 0 && need > room;
        if (!big && t <= LONG_SECONDS) {
            if (epochs != null || limit != null) {
                if ((room > 0 && c.fullBytes > room) || c.seconds(null, null, here) > LONG_SECONDS)
                    out.add("Here: " + here.describe() + ". These settings fit: about " + gb(need) + " and " + Settings.duration(t)
                            + " (estimated from the recorded full run).");
            }
            return out;
        }
        out.add("WARNING " + where);
        boolean defaults = epochs == null && limit == null;
        out.add((defaults ? "This full run: " : "This run: ") + verdict(c, here, need, t, defaults) + ".");
        String offer = offer(c, here);
        if (offer != null) out.add(offer);
        return out;
    }

    /** "it needs about 2.17 GB (the recorded full run's peak): it does not fit; about 1.1 h on 1 CPU (...)" */
    private static String verdict(Chapter c, Here here, long need, double seconds, boolean recorded) {
        long room = here.roomBytes();
        StringBuilder s = new StringBuilder("it needs about ").append(gb(need))
                .append(recorded ? " (the recorded full run's peak)" : " (estimated from the recorded full run)");
        if (room > 0 && need > room) s.append(": ").append(here.overflow());
        s.append("; it takes about ").append(Settings.duration(seconds)).append(" on ").append(cpusText(here.parallelism()));
        if (c.recordedParallelism > here.parallelism() + 1e-9)
            s.append(" (the recorded full run's ").append(Settings.duration(c.fullSeconds)).append(" on ")
             .append(cpusText(c.recordedParallelism)).append(c.fullCpuSeconds > 0 ? ", " + Settings.duration(c.fullCpuSeconds)
                     + " of CPU time" : "").append(", scaled)");
        return s.toString();
    }

    /** "Settings that fit here: AE_MODE=full AE_LIMIT=40000 AE_EPOCHS=12 (estimated: about 1.60 GB, 55 min)." or null. */
    static String offer(Chapter c, Here here) {
        long room = here.roomBytes();
        String cap = room > 0 && c.fullBytes > room && here.capCouldRise((long) (c.fullBytes / MEMORY_MARGIN))
                ? " Or keep all samples: " + raiseCap(here, c.fullBytes) : "";
        Integer n = null;
        if (room > 0 && c.fullBytes > room) {
            int fit = c.samplesFitting((long) (room * MEMORY_MARGIN));
            if (fit <= 0) {
                boolean fastFits = c.fastBytes > 0 && c.fastBytes <= room;
                if (!cap.isEmpty()) return "For full mode here, r" + raiseCap(here, c.fullBytes).substring(1);
                return "No sample count makes full mode fit here: ask for " + gb(c.fullBytes + SERVER_BYTES)
                        + " of memory (docs/container.md)" + (fastFits ? ", or stay in fast mode." : ".");
            }
            n = fit;
        }
        Integer e = null;
        double t = c.seconds(n, null, here);
        if (t > LONG_SECONDS && c.epochs != null && c.epochs.full() > 1) {
            int fit = (int) Math.floor(c.epochs.full() * LONG_SECONDS / t);
            if (fit < 1) fit = 1;
            e = fit;
            t = c.seconds(n, e, here);
        }
        if (n == null && e == null) return null;
        StringBuilder s = new StringBuilder("Settings that fit here: AE_MODE=full");
        if (n != null) s.append(" AE_LIMIT=").append(n);
        if (e != null) s.append(" AE_EPOCHS=").append(e);
        s.append(" (estimated: about ").append(gb(c.bytes(n))).append(", ").append(Settings.duration(t)).append(')');
        if (t > LONG_SECONDS) s.append("; even one epoch takes long here");
        return s.append('.').append(cap).toString();
    }

    /** "raise JavaCPP's cap: AE_KERNEL_MEMORY=\"-Xmx512m ... maxphysicalbytes=2500m\" (then restart the kernel)." */
    static String raiseCap(Here here, long need) {
        long mb = (long) Math.ceil(need / MEMORY_MARGIN / MB / 100) * 100;
        return "raise JavaCPP's cap, AE_KERNEL_MEMORY=\"-Xmx" + here.heapBytes() / MB + "m -XX:+UseSerialGC -Dorg.bytedeco.javacpp.maxbytes="
                + (here.javacppBytes() > 0 ? here.javacppBytes() / MB : 1024) + "m -Dorg.bytedeco.javacpp.maxphysicalbytes=" + mb
                + "m\" (TROUBLESHOOTING.md#memory; the kernel reads it when it starts).";
    }

    static String gb(long bytes) {
        return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
    }

    static String cpusText(double cpus) {
        if (Math.abs(cpus - Math.rint(cpus)) < 1e-9) {
            long n = Math.round(cpus);
            return n + (n == 1 ? " CPU" : " CPUs");
        }
        return String.format(Locale.ROOT, "%.1f CPUs", cpus);
    }

    /** n rounded down to its two leading figures (43,712 -> 43,000). */
    static int twoFigures(int n) {
        if (n < 100) return n;
        int scale = (int) Math.pow(10, (int) Math.log10(n) - 1);
        return n / scale * scale;
    }

    /**
     * The sizes a notebook asks for before its banner: the first {@code Settings.epochs(full, fast)} and {@code
     * Settings.limit(full, fast)} in its code ({@code Integer.MAX_VALUE} as itself), for {@link #main}; [epochs, limit],
     * each null where not asked.
     */
    static Settings.Pair[] sizesAsked(String stem) {
        Settings.Pair[] out = new Settings.Pair[2];
        Path nb = Settings.home().resolve("notebooks").resolve(stem + ".ipynb");
        try {
            StringBuilder code = new StringBuilder();
            for (JsonNode cell : new ObjectMapper().readTree(nb.toFile()).path("cells")) {
                if (!cell.path("cell_type").asText().equals("code")) continue;
                JsonNode src = cell.path("source");
                if (src.isArray()) src.forEach(l -> code.append(l.asText()));
                else code.append(src.asText());
                code.append('\n');
            }
            String number = "(Integer\\.MAX_VALUE|[\\d_]+)";
            String[] names = {"epochs", "limit"};
            for (int i = 0; i < 2; i++) {
                var m = java.util.regex.Pattern.compile("Settings\\." + names[i] + "\\(\\s*" + number + "\\s*,\\s*" + number + "\\s*\\)").matcher(code);
                if (m.find()) out[i] = new Settings.Pair(number(m.group(1)), number(m.group(2)));
            }
        } catch (IOException e) {
            // no notebook: sizes unknown, no offer of settings
        }
        return out;
    }

    private static int number(String s) {
        return s.startsWith("Integer") ? Integer.MAX_VALUE : Integer.parseInt(s.replace("_", ""));
    }

    /**
     * Prints the limits seen (a line for people, a line of key=value for scripts), then for each notebook (stem or
     * path) what the banner adds in fast and in full mode.
     *
     * <pre>
     *   java -cp ... ae.Limits [--cpus N --memory BYTES[m|g] --threads N] [--json] [STEM ...]
     * </pre>
     *
     * With {@code --cpus}/{@code --memory} it judges for a machine with those limits instead (a container's quota and
     * memory limit; JavaCPP's caps are this JVM's, so pass the kernel's flags to java); {@code --json} prints one JSON
     * object instead of text (scripts/container_doc.py reads it).
     */
    public static void main(String[] args) throws IOException {
        Here h = here();
        List<String> stems = new ArrayList<>();
        boolean json = false;
        double cpus = 0;
        long memory = 0;
        int threads = h.ompThreads();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--json" -> json = true;
                case "--cpus" -> cpus = Double.parseDouble(args[++i]);
                case "--memory" -> memory = parseBytes(args[++i]);
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                default -> stems.add(Path.of(args[i]).getFileName().toString().replaceFirst("\\.ipynb$", ""));
            }
        }
        if (cpus > 0 || memory > 0)   // a machine with these limits: its own memory unknown, so only the limit counts
            h = new Here((int) Math.ceil(Math.max(cpus, 1)), cpus, "--cpus", threads, memory, "--memory", 0, h.heapBytes(),
                    h.javacppBytes(), h.javacppPhysicalBytes());
        var out = new java.util.LinkedHashMap<String, Object>();
        out.put("limits", h.describe());
        out.put("cpus", h.cpus());
        out.put("room_mb", h.roomBytes() / MB);
        var chapters = new java.util.LinkedHashMap<String, Object>();
        for (String stem : stems) {
            Settings.Pair[] sizes = sizesAsked(stem);
            Chapter c = chapter(stem, Settings.record(stem), sizes[0], sizes[1]);
            var ch = new java.util.LinkedHashMap<String, Object>();
            ch.put("recorded", c != null);
            if (c != null) {
                ch.put("fast", advice(c, h, true, null, null));
                ch.put("full", advice(c, h, false, null, null));
                ch.put("full_fits", h.roomBytes() == 0 || c.fullBytes <= h.roomBytes());
                ch.put("full_mb", c.fullBytes / MB);
                ch.put("full_seconds", Math.round(c.seconds(null, null, h)));
            }
            chapters.put(stem, ch);
        }
        out.put("chapters", chapters);
        if (json) {
            System.out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(out));
            return;
        }
        System.out.println("Limits: " + h.describe());
        System.out.printf(Locale.ROOT, "cpus=%.2f cores=%d cgroup_mb=%d available_mb=%d heap_mb=%d javacpp_mb=%d"
                        + " javacpp_physical_mb=%d room_mb=%d server_mb=%d%n", h.cpus(), h.cores(), h.cgroupBytes() / MB,
                h.availableBytes() / MB, h.heapBytes() / MB, h.javacppBytes() / MB, h.javacppPhysicalBytes() / MB,
                h.roomBytes() / MB, SERVER_BYTES / MB);
        for (String stem : stems) {
            @SuppressWarnings("unchecked")
            var ch = (Map<String, Object>) chapters.get(stem);
            System.out.println(stem + (Boolean.TRUE.equals(ch.get("recorded")) ? "" : ": not recorded yet (the banner judges full mode by its record)"));
            for (String mode : new String[] {"fast", "full"}) {
                @SuppressWarnings("unchecked")
                List<String> lines = (List<String>) ch.getOrDefault(mode, List.of());
                for (String line : lines) System.out.println("  " + mode + ": " + line);
            }
        }
    }

    /** "2048m", "2g", "2147483648" in bytes (JavaCPP's and the JVM's suffixes, powers of 1024). */
    static long parseBytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> MB;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        if (unit > 1) t = t.substring(0, t.length() - 1);
        if (!t.matches("\\d+")) throw new IllegalArgumentException("'" + s + "' is not a size: give bytes, or a number with k, m or g (2048m, 2g)");
        return Long.parseLong(t) * unit;
    }
}
