package ae;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** For tests: a kernel that shows rich outputs and keeps what it was asked to show, in order. */
public final class RecordingKernel extends JupyterKernel {

    /** Every bundle displayed or updated. */
    public final List<Map<String, ?>> shown = new ArrayList<>();
    /** "display [keys]" or "update &lt;id&gt; [keys] &lt;text&gt;" per call; display ids are "id-&lt;call number&gt;". */
    public final List<String> calls = new ArrayList<>();

    @Override
    public String display(Map<String, ?> bundle) {
        shown.add(bundle);
        calls.add("display " + bundle.keySet());
        return "id-" + calls.size();
    }

    @Override
    public void update(String id, Map<String, ?> bundle) {
        shown.add(bundle);
        calls.add("update " + id + " " + bundle.keySet() + " " + bundle.get("text/plain"));
    }

    @Override
    public boolean rich() {
        return true;
    }

    @Override
    public String name() {
        return "recorder";
    }
}
