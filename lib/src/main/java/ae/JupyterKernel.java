package ae;

import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Talks to the Java kernel the notebook runs in, so that the helper jar can show pictures and update them in
 * place. Notebooks never see this: they call {@code ae.show.Show} and {@code ae.show.LossChart}; {@link Metrics}
 * records which kernel ran and {@link Progress} draws its one line here. Supported kernels are found by
 * reflection (no compile-time dependency): rapaio-jupyter-kernel and IJava. Anywhere else (plain JShell, unit
 * tests) outputs fall back to one line of text each. When a known kernel runs but its display API differs (a kernel
 * upgrade), outputs fall back to text too, and that is said once on standard error: charts must never turn into
 * text silently ({@link Metrics} records {@code "display": "text"}, which the notebook tests refuse).
 */
public abstract class JupyterKernel {

    /**
     * Shows a MIME bundle (e.g. image/png + text/plain) and returns its display id. Values are strings, or for a JSON
     * MIME type (e.g. {@code application/vnd.plotly.v1+json}) a tree of Maps, Lists, Strings, numbers and booleans,
     * which the kernels send as a JSON object (what Jupyter expects; a JSON string there is not rendered). A kernel
     * that shows text only prints the {@code text/plain} entry.
     */
    public abstract String display(Map<String, ?> bundle);

    /** Replaces the output shown under {@code id} with a new bundle. */
    public abstract void update(String id, Map<String, ?> bundle);

    /** Whether outputs can be shown as pictures and updated in place. */
    public abstract boolean rich();

    public abstract String name();

    private static JupyterKernel current;

    public static synchronized JupyterKernel current() {
        if (current == null) current = detect();
        return current;
    }

    /** For tests: use this kernel instead of the detected one. */
    public static synchronized void use(JupyterKernel kernel) {
        current = kernel;
    }

    private static JupyterKernel detect() {
        for (ClassLoader loader : new ClassLoader[] {Thread.currentThread().getContextClassLoader(),
                JupyterKernel.class.getClassLoader(), ClassLoader.getSystemClassLoader()}) {
            if (loader == null) continue;
            try {
                Object kernel = running(loader, "org.rapaio.jupyter.kernel.MainApp", c -> c.getField("kernel").get(null));
                if (kernel != null) return adapt(RAPAIO, () -> new Rapaio(kernel, loader), System.err);
                Object ijava = running(loader, "io.github.spencerpark.ijava.IJava", c -> c.getMethod("getKernelInstance").invoke(null));
                if (ijava != null) return adapt(IJAVA, () -> new IJava(ijava, loader), System.err);
            } catch (Mismatch e) {
                return mismatch(e.kernel, e.getCause(), System.err);
            }
        }
        return new Text(null);
    }

    static final String RAPAIO = "rapaio-jupyter-kernel", IJAVA = "IJava";

    interface Lookup {
        Object get(Class<?> main) throws ReflectiveOperationException;
    }

    interface Adapter {
        JupyterKernel create() throws ReflectiveOperationException;
    }

    /** A known kernel's class was found, but not the way to reach its running instance. */
    private static final class Mismatch extends Exception {
        final String kernel;

        Mismatch(String kernel, Throwable cause) {
            super(cause);
            this.kernel = kernel;
        }
    }

    /**
     * The running kernel instance behind a known kernel's main class, or null when that class is not there or no
     * kernel of it runs in this JVM.
     */
    private static Object running(ClassLoader loader, String mainClass, Lookup lookup) throws Mismatch {
        Class<?> main;
        try {
            main = Class.forName(mainClass, true, loader);
        } catch (ClassNotFoundException | LinkageError notThisKernel) {
            return null;
        }
        try {
            return lookup.get(main);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new Mismatch(mainClass.contains("rapaio") ? RAPAIO : IJAVA, e);
        }
    }

    /** The adapter for a kernel that runs here, or (saying so on {@code err}) text only if its display API differs. */
    static JupyterKernel adapt(String kernel, Adapter adapter, java.io.PrintStream err) {
        try {
            return adapter.create();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return mismatch(kernel, e, err);
        }
    }

    private static JupyterKernel mismatch(String kernel, Throwable why, java.io.PrintStream err) {
        String problem = "this notebook runs in " + kernel + ", but its display API is not the one the helper jar knows ("
                + why + "): charts, pictures and tables are shown as text only. Install the kernel version the course"
                + " pins (make setup), or adapt ae.JupyterKernel to this version.";
        err.println("ae.JupyterKernel: " + problem);
        return new Text(problem);
    }

    /** rapaio-jupyter-kernel: {@code MainApp.kernel.display(DisplayData)} and {@code updateDisplay(DisplayData)}. */
    static final class Rapaio extends JupyterKernel {
        private final Object kernel;
        private final Method fromText, putData, setDisplayId, display, updateDisplay;

        Rapaio(Object kernel, ClassLoader loader) throws ReflectiveOperationException {
            this.kernel = kernel;
            Class<?> dd = Class.forName("org.rapaio.jupyter.kernel.display.DisplayData", true, loader);
            fromText = dd.getMethod("fromText", String.class);
            putData = dd.getMethod("putData", String.class, Object.class);
            setDisplayId = dd.getMethod("setDisplayId", String.class);
            display = kernel.getClass().getMethod("display", dd);
            updateDisplay = kernel.getClass().getMethod("updateDisplay", dd);
        }

        private Object data(String id, Map<String, ?> bundle) throws ReflectiveOperationException {
            Object d = fromText.invoke(null, String.valueOf(bundle.containsKey("text/plain") ? bundle.get("text/plain") : ""));
            for (var e : bundle.entrySet()) putData.invoke(d, e.getKey(), e.getValue());
            setDisplayId.invoke(d, id);
            return d;
        }

        // rapaio's DisplayData keeps Map<String, Object> and writes it with Gson: a Map value becomes a JSON object
        @Override
        public String display(Map<String, ?> bundle) {
            String id = UUID.randomUUID().toString();
            call(display, bundle, id);
            return id;
        }

        @Override
        public void update(String id, Map<String, ?> bundle) {
            call(updateDisplay, bundle, id);
        }

        private void call(Method m, Map<String, ?> bundle, String id) {
            try {
                m.invoke(kernel, data(id, bundle));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("rapaio kernel refused a display: " + e, e);
            }
        }

        @Override
        public boolean rich() {
            return true;
        }

        @Override
        public String name() {
            return RAPAIO;
        }
    }

    /** IJava: {@code kernel.getIO().display} is a DisplayStream with {@code display} and {@code updateDisplay(id, data)}. */
    static final class IJava extends JupyterKernel {
        private final Object stream;
        private final Class<?> dataClass;
        private final Method putData, setDisplayId, display, updateDisplay;

        IJava(Object kernel, ClassLoader loader) throws ReflectiveOperationException {
            Object io = kernel.getClass().getMethod("getIO").invoke(kernel);
            stream = io.getClass().getField("display").get(io);
            dataClass = Class.forName("io.github.spencerpark.jupyter.kernel.display.DisplayData", true, loader);
            putData = dataClass.getMethod("putData", String.class, Object.class);
            setDisplayId = dataClass.getMethod("setDisplayId", String.class);
            display = stream.getClass().getMethod("display", dataClass);
            updateDisplay = stream.getClass().getMethod("updateDisplay", String.class, dataClass);
        }

        private Object data(String id, Map<String, ?> bundle) throws ReflectiveOperationException {
            Object d = dataClass.getConstructor().newInstance();
            for (var e : bundle.entrySet()) putData.invoke(d, e.getKey(), e.getValue());
            setDisplayId.invoke(d, id);
            return d;
        }

        // IJava's DisplayData keeps Map<String, Object> and writes it with Gson: a Map value becomes a JSON object
        @Override
        public String display(Map<String, ?> bundle) {
            String id = UUID.randomUUID().toString();
            try {
                display.invoke(stream, data(id, bundle));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("IJava refused a display: " + e, e);
            }
            return id;
        }

        @Override
        public void update(String id, Map<String, ?> bundle) {
            try {
                updateDisplay.invoke(stream, id, data(id, bundle));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("IJava refused a display update: " + e, e);
            }
        }

        @Override
        public boolean rich() {
            return true;
        }

        @Override
        public String name() {
            return IJAVA;
        }
    }

    /** No Jupyter kernel (or one whose display API is unknown): print each output's text form on its own line. */
    public static class Text extends JupyterKernel {
        /** Why a known kernel is shown as text, or null when there is no kernel (plain JShell, unit tests). */
        final String problem;

        public Text() {
            this(null);
        }

        public Text(String problem) {
            this.problem = problem;
        }

        @Override
        public String display(Map<String, ?> bundle) {
            System.out.println(bundle.containsKey("text/plain") ? bundle.get("text/plain") : "[output]");
            return UUID.randomUUID().toString();
        }

        @Override
        public void update(String id, Map<String, ?> bundle) {
            display(bundle);
        }

        @Override
        public boolean rich() {
            return false;
        }

        @Override
        public String name() {
            return problem == null ? "none (text only)" : "display API not recognised (text only): " + problem;
        }
    }

    /** A bundle of a text form and, unless {@code mime} is null, one more form. */
    public static Map<String, Object> bundle(String text, String mime, Object content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text/plain", text);
        if (mime != null) m.put(mime, content);
        return m;
    }
}
