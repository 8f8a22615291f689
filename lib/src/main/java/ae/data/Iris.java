package ae.data;

import ae.Settings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fisher's Iris flowers: 150 rows of sepal length, sepal width, petal length, petal width (cm), and species.
 * The file {@code data/iris.csv} is committed (public domain; see data/README.md).
 *
 * @param features  [150, 4] float matrix, in centimetres
 * @param species   species name of each row
 * @param columns   the four feature names
 */
public record Iris(INDArray features, List<String> species, List<String> columns) {

    public static final List<String> SPECIES = List.of("setosa", "versicolor", "virginica");

    /** Loads {@code iris.csv} from the project's data folder (or {@code AE_DATA}). */
    public static Iris load() {
        Path inCache = Settings.dataDir().resolve("iris.csv");
        Path inProject = Settings.home().resolve("data").resolve("iris.csv");
        return load(Files.isRegularFile(inCache) ? inCache : inProject);
    }

    static Iris load(Path csv) {
        if (!Files.isRegularFile(csv)) {
            throw new DataException("Iris data not found at " + csv + ". It is committed as data/iris.csv in the "
                    + "project; run the notebook from the project (or set AE_HOME to the project folder).");
        }
        try {
            List<String> lines = Files.readAllLines(csv);
            String[] header = lines.get(0).split(",");
            List<float[]> rows = new ArrayList<>();
            List<String> species = new ArrayList<>();
            for (int i = 1; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                String[] cells = line.split(",");
                if (cells.length != 5) {
                    throw new DataException(csv + " line " + (i + 1) + " has " + cells.length + " cells, expected 5: " + line);
                }
                float[] row = new float[4];
                for (int j = 0; j < 4; j++) row[j] = Float.parseFloat(cells[j]);
                rows.add(row);
                species.add(cells[4]);
            }
            INDArray x = Nd4j.create(rows.toArray(new float[0][])).castTo(DataType.FLOAT);
            return new Iris(x, List.copyOf(species), List.of(header).subList(0, 4));
        } catch (IOException e) {
            throw new DataException("Could not read " + csv + ": " + e, e);
        }
    }

    /** Species of each row as 0, 1, 2 (setosa, versicolor, virginica). */
    public int[] speciesIndex() {
        return species.stream().mapToInt(SPECIES::indexOf).toArray();
    }

    public int size() {
        return species.size();
    }
}
