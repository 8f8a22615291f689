package ae.data;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class RowsTest {

    @Test
    void rowsFillsInOrderInChunks() throws Exception {
        int n = Rows.CHUNK + 3;
        INDArray x = Rows.fill(n, 2, (i, into, at) -> { into[at] = i; into[at + 1] = -i; });
        assertEquals(n, x.rows());
        assertEquals(Rows.CHUNK + 2f, x.getFloat(Rows.CHUNK + 2, 0));
        assertEquals(-7f, x.getFloat(7, 1));
    }
}
