package ae.data;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class IrisTest {

    @Test
    void theCommittedFileHas150FlowersOfThreeSpecies() {
        Iris iris = Iris.load();
        assertEquals(150, iris.size());
        assertArrayEquals(new long[] {150, 4}, iris.features().shape());
        assertEquals(5.1f, iris.features().getFloat(0, 0), 1e-6);
        assertEquals(1.8f, iris.features().getFloat(149, 3), 1e-6);
        int[] counts = new int[3];
        Arrays.stream(iris.speciesIndex()).forEach(i -> counts[i]++);
        assertArrayEquals(new int[] {50, 50, 50}, counts);
        assertEquals("petal_width_cm", iris.columns().get(3));
    }
}
