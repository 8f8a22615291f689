package ae;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchesTest {

    @Test
    void shuffledBatchesCoverEveryRowOnceAndDependOnTheSeed() {
        List<int[]> a = Batches.shuffled(10, 4, new Random(1));
        assertEquals(List.of(4, 4, 2), a.stream().map(b -> b.length).toList());
        int[] all = a.stream().flatMapToInt(Arrays::stream).sorted().toArray();
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, all);
        int[] again = Batches.shuffled(10, 4, new Random(1)).stream().flatMapToInt(Arrays::stream).toArray();
        assertArrayEquals(a.stream().flatMapToInt(Arrays::stream).toArray(), again);
        int[] other = Batches.shuffled(10, 4, new Random(2)).stream().flatMapToInt(Arrays::stream).toArray();
        assertFalse(Arrays.equals(again, other));
        assertFalse(Arrays.equals(again, new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
    }

    @Test
    void inOrderKeepsTheRowsInOrder() {
        List<int[]> b = Batches.inOrder(5, 2);
        assertArrayEquals(new int[] {0, 1}, b.get(0));
        assertArrayEquals(new int[] {4}, b.get(2));
        assertThrows(IllegalArgumentException.class, () -> Batches.inOrder(5, 0));
    }

    @Test
    void rowsAndMapGiveTheRowsAsked() {
        INDArray x = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(6, 2);
        assertEquals(Nd4j.createFromArray(new float[][] {{8, 9}, {0, 1}}), Batches.rows(x, new int[] {4, 0}));
        int[] calls = {0};
        INDArray y = Batches.map(x, 4, b -> { calls[0]++; return b.mul(2).reshape(b.rows(), 1, 2); });
        assertEquals(2, calls[0]);
        assertEquals(x.mul(2), y);
    }

    @Test
    void mapFreesEachBatchResultOnceStackedAndLeavesItsInputAlone() {
        INDArray x = Nd4j.arange(12).castTo(DataType.FLOAT).reshape(6, 2), before = x.dup();
        List<INDArray> made = new java.util.ArrayList<>();
        INDArray y = Batches.map(x, 4, b -> { INDArray r = Nd4j.create(DataType.FLOAT, b.rows(), 1, 2).assign(b.mul(2).reshape(b.rows(), 1, 2)); made.add(r); return r; });
        assertEquals(before.mul(2), y);
        assertEquals(2, made.size());
        assertTrue(made.stream().allMatch(INDArray::wasClosed), "each batch's result is freed once stacked");
        // f may hand back its input (a view of x): x stays whole and usable
        assertEquals(before, Batches.map(x, 4, b -> b));
        assertEquals(before, x);
    }
}
