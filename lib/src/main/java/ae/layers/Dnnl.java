package ae.layers;

import static org.bytedeco.dnnl.global.dnnl.*;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * oneDNN (the bytedeco Java bindings of oneDNN 2.5, {@code org.bytedeco:dnnl}) for the helper jar's native layers:
 * one CPU engine, one stream per thread, primitives created once per shape and layout and cached (as TensorFlow
 * does), ND4J arrays handed to oneDNN without copies (the memory handle is the array's native address, its strides
 * describe the layout).
 *
 * <p>Activations between the native layers are kept channels-last (NHWC): an NCHW-shaped {@link INDArray} whose
 * strides are those of an [N, H, W, C] array ({@link #nhwc}). DL4J and ND4J see an ordinary NCHW array (a permuted
 * view), oneDNN sees its fastest layout for these convolutions, and no layer reorders its input or output unless it
 * comes from or goes to a layer that is not one of ours.
 *
 * <p>libnd4j carries its own oneDNN (2.3, linked into libnd4jcpu, no exported symbols); the two copies live side by
 * side and share libnd4j's OpenMP runtime (one thread pool: JavaCPP loads only one libgomp). Float only: oneDNN has
 * no double-precision convolution, so {@link FastLayers} swaps these layers into float networks only.
 */
final class Dnnl {
    private Dnnl() {}

    /** Why oneDNN cannot be used here, or null when it can. */
    static final String UNAVAILABLE;
    private static final dnnl_engine ENGINE;
    private static final ThreadLocal<dnnl_stream> STREAM;
    private static final Map<String, AtomicLong> EXECUTED = new ConcurrentHashMap<>();
    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    static {
        String why = null;
        dnnl_engine engine = null;
        try {
            if (!System.getProperty("os.arch", "").matches("amd64|x86_64")) {
                why = "oneDNN's natives exist for x86_64 CPUs only (this is " + System.getProperty("os.arch") + ")";
            } else {
                Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                engine = new dnnl_engine();
                check(dnnl_engine_create(engine, dnnl_cpu, 0), "create the CPU engine");
            }
        } catch (Throwable t) {
            why = "oneDNN's natives (org.bytedeco:dnnl for " + Loader.getPlatform() + ", which make setup adds on x86_64 unless"
                    + " ONEDNN=0) could not be loaded (" + t.getClass().getSimpleName() + ")";
            engine = null;
        }
        UNAVAILABLE = why;
        ENGINE = engine;
        STREAM = ThreadLocal.withInitial(() -> {
            dnnl_stream s = new dnnl_stream();
            check(dnnl_stream_create(s, ENGINE, dnnl_stream_default_flags), "create a stream");
            return s;
        });
    }

    static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Throws a clear error when oneDNN cannot be used on this machine. */
    static void require() {
        if (UNAVAILABLE != null) throw new UnsupportedOperationException(UNAVAILABLE);
    }

    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN could not " + what + " (status " + status + ")");
        }
    }

    /** How many times each kind of primitive ran (tests assert that the native path was taken). */
    static long executed(String kind) {
        AtomicLong n = EXECUTED.get(kind);
        return n == null ? 0 : n.get();
    }

    static Map<String, Long> executedAll() {
        Map<String, Long> out = new java.util.TreeMap<>();
        EXECUTED.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    /** The oneDNN version and the instruction set its kernels use here, e.g. "oneDNN 2.5.2, isa avx512_core_bf16". */
    static String describe() {
        if (!available()) return UNAVAILABLE;
        var v = dnnl_version();
        return "oneDNN " + v.major() + "." + v.minor() + "." + v.patch() + ", isa " + isaName(dnnl_get_effective_cpu_isa());
    }

    static String isaName(int isa) {
        if (isa == dnnl_cpu_isa_avx512_core_amx) return "avx512_core_amx";
        if (isa == dnnl_cpu_isa_avx512_core_bf16) return "avx512_core_bf16";
        if (isa == dnnl_cpu_isa_avx512_core_vnni) return "avx512_core_vnni";
        if (isa == dnnl_cpu_isa_avx512_core) return "avx512_core";
        if (isa == dnnl_cpu_isa_avx2_vnni) return "avx2_vnni";
        if (isa == dnnl_cpu_isa_avx2) return "avx2";
        if (isa == dnnl_cpu_isa_avx) return "avx";
        if (isa == dnnl_cpu_isa_sse41) return "sse41";
        return "isa " + isa;
    }

    @SuppressWarnings("unchecked")
    static <T> T cached(String key, Supplier<T> make) {
        Object p = CACHE.get(key);
        if (p == null) {
            p = make.get();
            CACHE.put(key, p);
        }
        return (T) p;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Memory descriptors and addresses

    /** A float memory descriptor with the given dimensions and strides (in elements). */
    static dnnl_memory_desc_t md(long[] dims, long[] strides) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_strides(md, dims.length, new LongPointer(dims), dnnl_f32, new LongPointer(strides)), "describe memory " + Arrays.toString(dims));
        return md;
    }

    /** A memory descriptor with the given dimensions and format tag (dnnl_format_tag_any lets the primitive choose). */
    static dnnl_memory_desc_t md(long[] dims, int dataType, int tag) {
        dnnl_memory_desc_t md = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(md, dims.length, new LongPointer(dims), dataType, tag), "describe memory " + Arrays.toString(dims));
        return md;
    }

    static dnnl_memory_desc_t md(long[] dims, int tag) {
        return md(dims, dnnl_f32, tag);
    }

    /** NCHW dims with NHWC strides: channels last in memory. */
    static long[] nhwcStrides(long[] nchw) {
        long c = nchw[1], h = nchw[2], w = nchw[3];
        return new long[] {h * w * c, 1, w * c, c};
    }

    static long[] nchwStrides(long[] nchw) {
        long c = nchw[1], h = nchw[2], w = nchw[3];
        return new long[] {c * h * w, h * w, w, 1};
    }

    /** Whether a 4-d array is laid out channels-last and dense (dimensions of size 1 may have any stride). */
    static boolean isNhwc(INDArray a) {
        return a.rank() == 4 && sameLayout(a.shape(), a.stride(), nhwcStrides(a.shape()));
    }

    static boolean isNchw(INDArray a) {
        return a.rank() == 4 && sameLayout(a.shape(), a.stride(), nchwStrides(a.shape()));
    }

    private static boolean sameLayout(long[] shape, long[] strides, long[] expected) {
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] != 1 && strides[i] != expected[i]) return false;
        }
        return true;
    }

    /** A new channels-last array of the given NCHW shape from the workspace: an NCHW view of an [N, H, W, C] array. */
    static INDArray nhwc(LayerWorkspaceMgr mgr, ArrayType type, long[] nchw) {
        if (nchw[1] == 1 || nchw[2] * nchw[3] == 1) return mgr.createUninitialized(type, DataType.FLOAT, nchw, 'c'); // the same memory either way
        return mgr.createUninitialized(type, DataType.FLOAT, new long[] {nchw[0], nchw[2], nchw[3], nchw[1]}, 'c').permute(0, 3, 1, 2);
    }

    /** The array as a channels-last one: itself when it is, else a copy (a oneDNN reorder) into the workspace. */
    static INDArray asNhwc(INDArray a, LayerWorkspaceMgr mgr, ArrayType type) {
        if (isNhwc(a)) return a;
        INDArray out = nhwc(mgr, type, a.shape());
        reorder(a, out);
        return out;
    }

    /**
     * The native address of an array's first element. A view's buffer (DataBuffer) already starts at the view's
     * offset (its addressPointer includes it, and its own offset() equals the array's), so only the difference counts.
     */
    static long address(INDArray a) {
        var data = a.data();
        return data.addressPointer().address() + (a.offset() - data.offset()) * data.getElementSize();
    }

    /** A float array's memory as a JavaCPP FloatPointer (for small copies in Java). */
    static org.bytedeco.javacpp.FloatPointer floats(INDArray a) {
        requireFloat(a, "array");
        return new org.bytedeco.javacpp.FloatPointer(new Address().set(address(a))).capacity(a.length()).limit(a.length());
    }

    /** The descriptor of an NCHW-shaped float array as it lies in memory (channels-last ones get canonical strides). */
    static dnnl_memory_desc_t mdOf(INDArray a) {
        long[] shape = a.shape();
        if (a.rank() == 4 && isNhwc(a)) return md(shape, nhwcStrides(shape));
        if (a.rank() == 4 && isNchw(a)) return md(shape, nchwStrides(shape));
        return md(shape, a.stride());
    }

    /** A cache key for an array's shape and layout. */
    static String layout(INDArray a) {
        if (a.rank() == 4 && isNhwc(a)) return Arrays.toString(a.shape()) + "nhwc";
        if (a.rank() == 4 && isNchw(a)) return Arrays.toString(a.shape()) + "nchw";
        return Arrays.toString(a.shape()) + Arrays.toString(a.stride());
    }

    /** oneDNN's layers compute float networks only (FastLayers keeps DL4J's layers in others). */
    static void requireFloatNetwork(DataType dataType) {
        if (dataType != DataType.FLOAT) {
            throw new IllegalArgumentException("oneDNN computes float networks only, not " + dataType + " (FastLayers keeps DL4J's layer there)");
        }
    }

    static void requireFloat(INDArray a, String what) {
        if (a.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException(what + " must be FLOAT for oneDNN, not " + a.dataType());
        }
    }

    /** Copies {@code from} into {@code to} (same shape, any layouts) with a cached oneDNN reorder. */
    static void reorder(INDArray from, INDArray to) {
        requireFloat(from, "reorder input");
        requireFloat(to, "reorder output");
        String key = "reorder " + layout(from) + " -> " + layout(to);
        Primitive p = cached(key, () -> Primitive.reorder(mdOf(from), mdOf(to)));
        p.exec(from, to);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Primitives

    /** A primitive attribute with eltwise post-ops (alg, alpha, beta triples), or null for none. */
    static dnnl_primitive_attr postOps(int... eltwise) {
        if (eltwise.length == 0) return null;
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_post_ops_create(ops), "create post-ops");
        for (int alg : eltwise) check(dnnl_post_ops_append_eltwise(ops, 1f, alg, 0f, 0f), "append an eltwise post-op");
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), "create a primitive attribute");
        check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
        return attr;
    }

    static dnnl_primitive_desc pd(Pointer opDesc, dnnl_primitive_attr attr, dnnl_primitive_desc hint, String what) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), attr, ENGINE, hint), "create " + what);
        return pd;
    }

    /**
     * Like {@link #pd}, but the first implementation whose name does not start with {@code avoid}: for primitives
     * whose preferred (JIT) implementation in oneDNN 2.5 is broken for some shapes.
     */
    static dnnl_primitive_desc pdAvoiding(Pointer opDesc, dnnl_primitive_desc hint, String what, String avoid) {
        org.bytedeco.dnnl.dnnl_primitive_desc_iterator it = new org.bytedeco.dnnl.dnnl_primitive_desc_iterator();
        check(dnnl_primitive_desc_iterator_create(it, new const_dnnl_op_desc_t(opDesc), null, ENGINE, hint), "list implementations of " + what);
        try {
            while (true) {
                dnnl_primitive_desc pd = dnnl_primitive_desc_iterator_fetch(it);
                if (!implementation(pd).startsWith(avoid)) return pd;
                dnnl_primitive_desc_destroy(pd);
                int status = dnnl_primitive_desc_iterator_next(it);
                if (status == dnnl_iterator_ends) throw new IllegalStateException("oneDNN has no implementation of " + what + " but " + avoid);
                check(status, "list implementations of " + what);
            }
        } finally {
            dnnl_primitive_desc_iterator_destroy(it);
        }
    }

    /** The implementation oneDNN chose for a primitive, e.g. "brgconv:avx512_core". */
    static String implementation(dnnl_primitive_desc pd) {
        org.bytedeco.javacpp.PointerPointer<BytePointer> s = new org.bytedeco.javacpp.PointerPointer<>(1);
        check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, s), "query the implementation");
        return s.get(BytePointer.class, 0).getString();
    }

    static dnnl_memory_desc_t queryMd(dnnl_primitive_desc pd, int what) {
        return dnnl_primitive_desc_query_md(pd, what, 0);
    }

    static boolean equal(dnnl_memory_desc_t a, dnnl_memory_desc_t b) {
        return dnnl_memory_desc_equal(a, b) != 0;
    }

    /** A settable native address for memory handles. */
    private static final class Address extends Pointer {
        Address set(long a) {
            address = a;
            return this;
        }
    }

    /** A memory object that owns its buffer (oneDNN allocates it): blocked weights and their gradients. */
    static dnnl_memory owned(dnnl_memory_desc_t md) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, ENGINE, new Address().set(-1L)), "allocate memory"); // DNNL_MEMORY_ALLOCATE
        return m;
    }

    /**
     * A primitive with one memory object per argument, created once; {@link #exec} points the memory objects at the
     * given addresses and runs it on this thread's stream. Arguments given an owned memory ({@link #own}) keep it.
     */
    static final class Primitive {
        final String kind, implementation;
        final dnnl_primitive_desc pd;
        private final dnnl_primitive primitive = new dnnl_primitive();
        private final int[] args;
        private final dnnl_memory[] memories;
        private final boolean[] fixed;
        private final dnnl_exec_arg_t execArgs;
        private final Address address = new Address();
        private final AtomicLong counter;

        /** args: DNNL_ARG_* kinds; mds: their memory descriptors (one per argument, same order). */
        Primitive(String kind, dnnl_primitive_desc pd, int[] args, dnnl_memory_desc_t[] mds) {
            this.kind = kind;
            this.pd = pd;
            this.args = args;
            this.implementation = implementation(pd);
            check(dnnl_primitive_create(primitive, pd), "create the primitive " + kind);
            memories = new dnnl_memory[args.length];
            fixed = new boolean[args.length];
            execArgs = new dnnl_exec_arg_t(args.length);
            for (int i = 0; i < args.length; i++) {
                dnnl_memory_desc_t expected = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, args[i]);
                if (expected == null || expected.ndims() == 0) {
                    throw new IllegalStateException(kind + ": oneDNN's " + implementation + " takes no argument " + args[i]);
                }
                if (!equal(expected, mds[i])) {
                    throw new IllegalStateException(kind + ": argument " + args[i] + " is described differently from what " + implementation + " expects");
                }
                memories[i] = new dnnl_memory();
                check(dnnl_memory_create(memories[i], mds[i], ENGINE, (Pointer) null), "create memory for " + kind);
                execArgs.position(i).arg(args[i]).memory(memories[i]);
            }
            execArgs.position(0);
            counter = EXECUTED.computeIfAbsent(kind, k -> new AtomicLong());
        }

        static Primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to) {
            return reorder(from, to, false, "reorder");
        }

        /** A reorder (a copy between layouts); with {@code accumulate} it adds to what the destination holds. */
        static Primitive reorder(dnnl_memory_desc_t from, dnnl_memory_desc_t to, boolean accumulate, String kind) {
            dnnl_primitive_attr attr = null;
            if (accumulate) {
                dnnl_post_ops ops = new dnnl_post_ops();
                check(dnnl_post_ops_create(ops), "create post-ops");
                check(dnnl_post_ops_append_sum(ops, 1f), "append a sum post-op");
                attr = new dnnl_primitive_attr();
                check(dnnl_primitive_attr_create(attr), "create a primitive attribute");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), "set post-ops");
            }
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_reorder_primitive_desc_create(pd, from, ENGINE, to, ENGINE, attr), "create a reorder");
            return new Primitive(kind, pd, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory_desc_t[] {from, to});
        }

        /** Gives argument i a memory of its own (allocated by oneDNN) that exec leaves alone; returns it. */
        dnnl_memory own(int i, dnnl_memory m) {
            memories[i] = m;
            fixed[i] = true;
            execArgs.position(i).memory(m);
            execArgs.position(0);
            return m;
        }

        /**
         * Runs the primitive, one argument per DNNL_ARG given at creation: an INDArray (its memory), a Long (a
         * native address) or null (an argument with a memory of its own). The arrays stay reachable until it is done.
         */
        synchronized void exec(Object... arrays) {   // its memory objects are re-pointed per call: one call at a time
            if (arrays.length != args.length) {
                throw new IllegalArgumentException(kind + ": " + arrays.length + " arrays for " + args.length + " arguments");
            }
            for (int i = 0; i < args.length; i++) {
                Object a = arrays[i];
                if (fixed[i]) continue;
                if (a == null) throw new IllegalArgumentException(kind + ": argument " + i + " has no memory");
                long at = a instanceof INDArray arr ? address(arr) : (Long) a;
                check(dnnl_memory_set_data_handle(memories[i], address.set(at)), "set a memory handle");
            }
            int status = dnnl_primitive_execute(primitive, STREAM.get(), args.length, execArgs);
            if (status != dnnl_success) {
                StringBuilder what = new StringBuilder();
                for (int i = 0; i < args.length; i++) {
                    what.append(" arg ").append(args[i]).append('=').append(fixed[i] ? "own" : arrays[i] instanceof INDArray a
                            ? Arrays.toString(a.shape()) + "@" + address(a) : String.valueOf(arrays[i]));
                }
                check(status, "run " + kind + " (" + implementation + ";" + what + ")");
            }
            counter.incrementAndGet();
            java.lang.ref.Reference.reachabilityFence(arrays);
        }
    }

    /**
     * Weights kept in the layout a primitive wants: a reorder from DL4J's layout into a buffer oneDNN owns (or
     * nothing, when the layouts are the same). {@link #from} refreshes it from DL4J's array before a step.
     */
    static final class Weights {
        final dnnl_memory_desc_t user, wanted;
        final boolean same;
        final dnnl_memory memory;
        private final Primitive reorder;

        Weights(dnnl_memory_desc_t user, dnnl_memory_desc_t wanted) {
            this.user = user;
            this.wanted = wanted;
            same = equal(user, wanted);
            memory = same ? null : owned(wanted);
            reorder = same ? null : Primitive.reorder(user, wanted);
            if (!same) reorder.own(1, memory);
        }

        /** Copies DL4J's weights into the buffer; returns what to give the primitive (the array itself or null). */
        INDArray from(INDArray w) {
            if (same) return w;
            reorder.exec(w, null);
            return null;
        }
    }
}
