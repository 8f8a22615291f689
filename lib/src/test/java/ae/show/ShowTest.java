package ae.show;

import static org.junit.jupiter.api.Assertions.*;

import ae.JupyterKernel;
import ae.RecordingKernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShowTest {

    @AfterEach
    void restore() {
        JupyterKernel.use(null);
    }

    static tech.tablesaw.api.Table flowers() {
        return tech.tablesaw.api.Table.create("flowers").addColumns(
                tech.tablesaw.api.FloatColumn.create("cm", new float[] {5.1f, 0.041973290f}),
                tech.tablesaw.api.DoubleColumn.create("rmse", new double[] {0.30607381657087307, 13.770269870592827}),
                tech.tablesaw.api.DoubleColumn.create("s", new double[] {22.0, 50992.4}),
                tech.tablesaw.api.StringColumn.create("species", "a<b", "c"));
    }

    @Test
    void tablesShowNumbersRoundedInBothForms() {
        var t = flowers();
        assertEquals("<table><caption>flowers</caption><thead><tr><th>cm</th><th>rmse</th><th>s</th><th>species</th></tr></thead>"
                + "<tbody><tr><td>5.1</td><td>0.3061</td><td>22.0</td><td>a&lt;b</td></tr>"
                + "<tr><td>0.04197</td><td>13.77</td><td>50992</td><td>c</td></tr></tbody></table>", Show.html(t));
        assertEquals("""
                flowers
                     cm |   rmse |     s | species
                --------+--------+-------+--------
                    5.1 | 0.3061 |  22.0 | a<b
                0.04197 |  13.77 | 50992 | c
                """, Show.text(t));
        RecordingKernel k = new RecordingKernel();
        JupyterKernel.use(k);
        Show.table(t);
        assertEquals(List.of("text/plain", "text/html"), List.copyOf(k.shown.get(0).keySet()));
        assertEquals(Show.text(t), k.shown.get(0).get("text/plain"));
    }

    @Test
    void cellsRoundToFourSignificantDigits() {
        assertEquals("5.1", Show.cell(5.099999904632568));
        assertEquals("0.0001235", Show.cell(0.00012345678));
        assertEquals("1235", Show.cell(1234.5678));
        assertEquals("-2.5", Show.cell(-2.5f));
        assertEquals("0.0", Show.cell(0.0));
        assertEquals("NaN", Show.cell(Double.NaN));
        assertEquals("7", Show.cell(7));
    }
}
