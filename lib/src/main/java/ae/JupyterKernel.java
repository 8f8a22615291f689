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

    /**
     * A kernel reached by reflection: both build a DisplayData (a map of MIME type to value, with a display id) and
     * hand it to a display and an update method. Their DisplayData keeps Map&lt;String, Object&gt; and writes it with
     * Gson: a Map value becomes a JSON object.
     */
    abstract static class Reflective extends JupyterKernel {
        private final String name;
        private final Method putData, setDisplayId;

        Reflective(String name, Class<?> dataClass) throws ReflectiveOperationException {
            this.name = name;
            putData = dataClass.getMethod("putData", String.class, Object.class);
            setDisplayId = dataClass.getMethod("setDisplayId", String.class);
        }

        /** A new DisplayData holding {@code text} as text/plain (or nothing yet). */
        abstract Object newData(String text) throws ReflectiveOperationException;

        abstract void show(Object data) throws ReflectiveOperationException;

        abstract void replace(String id, Object data) throws ReflectiveOperationException;

        private Object data(String id, Map<String, ?> bundle) throws ReflectiveOperationException {
            Object d = newData(String.valueOf(bundle.containsKey("text/plain") ? bundle.get("text/plain") : ""));
            for (var e : bundle.entrySet()) putData.invoke(d, e.getKey(), e.getValue());
            setDisplayId.invoke(d, id);
            return d;
        }

        @Override
        public String display(Map<String, ?> bundle) {
            String id = UUID.randomUUID().toString();
            try {
                show(data(id, bundle));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(name + " refused a display: " + e, e);
            }
            return id;
        }

        @Override
        public void update(String id, Map<String, ?> bundle) {
            try {
                replace(id, data(id, bundle));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(name + " refused a display update: " + e, e);
            }
        }

        @Override
        public boolean rich() {
            return true;
        }

        @Override
        public String name() {
            return name;
        }
    }

    /** rapaio-jupyter-kernel: {@code MainApp.kernel.display(DisplayData)} and {@code updateDisplay(DisplayData)}. */
    static final class Rapaio extends Reflective {
        private final Object kernel;
        private final Method fromText, display, updateDisplay;

        Rapaio(Object kernel, ClassLoader loader) throws ReflectiveOperationException {
            this(kernel, Class.forName("org.rapaio.jupyter.kernel.display.DisplayData", true, loader));
        }

        private Rapaio(Object kernel, Class<?> dataClass) throws ReflectiveOperationException {
            super(RAPAIO, dataClass);
            this.kernel = kernel;
            fromText = dataClass.getMethod("fromText", String.class);
            display = kernel.getClass().getMethod("display", dataClass);
            updateDisplay = kernel.getClass().getMethod("updateDisplay", dataClass);
        }

        @Override
        Object newData(String text) throws ReflectiveOperationException {
            return fromText.invoke(null, text);
        }

        @Override
        void show(Object data) throws ReflectiveOperationException {
            display.invoke(kernel, data);
        }

        @Override
        void replace(String id, Object data) throws ReflectiveOperationException {
            updateDisplay.invoke(kernel, data);   // the display id is in the data
        }
    }

    /** IJava: {@code kernel.getIO().display} is a DisplayStream with {@code display} and {@code updateDisplay(id, data)}. */
    static final class IJava extends Reflective {
        private final Object stream;
        private final Class<?> dataClass;
        private final Method display, updateDisplay;

        IJava(Object kernel, ClassLoader loader) throws ReflectiveOperationException {
            this(stream(kernel), Class.forName("io.github.spencerpark.jupyter.kernel.display.DisplayData", true, loader));
        }

        private IJava(Object stream, Class<?> dataClass) throws ReflectiveOperationException {
            super(IJAVA, dataClass);
            this.stream = stream;
            this.dataClass = dataClass;
            display = stream.getClass().getMethod("display", dataClass);
            updateDisplay = stream.getClass().getMethod("updateDisplay", String.class, dataClass);
        }

        private static Object stream(Object kernel) throws ReflectiveOperationException {
            Object io = kernel.getClass().getMethod("getIO").invoke(kernel);
            return io.getClass().getField("display").get(io);
        }

        @Override
        Object newData(String text) throws ReflectiveOperationException {
            return dataClass.getConstructor().newInstance();   // text/plain goes in with the rest of the bundle
        }

        @Override
        void show(Object data) throws ReflectiveOperationException {
            display.invoke(stream, data);
        }

        @Override
        void replace(String id, Object data) throws ReflectiveOperationException {
            updateDisplay.invoke(stream, id, data);
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
