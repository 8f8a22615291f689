import ae.data.Cifar10;
import ae.data.Images;
import ae.data.Kittens;
import java.util.Arrays;

/**
 * Loads the CIFAR-10 and kitten data the way the notebooks will (through the cache, from the mirror or the web) and
 * prints what a test can compare with the publishers' own counts. Run by tests/test_data.py on the kernel's classpath.
 */
public class DataCheck {
    public static void main(String[] args) {
        Cifar10 cifar = Cifar10.load();
        System.out.println("cifar source: " + cifar.description());
        Images train = cifar.train(), test = cifar.test();
        int[] counts = new int[10];
        for (int label : train.labels()) counts[label]++;
        System.out.println("cifar train: " + train.size() + " images, per class " + Arrays.toString(counts));
        System.out.println("cifar test: " + test.size() + " images");
        Images horses = cifar.train("horse").grayscale();
        System.out.println("cifar horses: train " + horses.size() + ", test " + cifar.test("horse").size()
                + ", gray shape " + Arrays.toString(horses.pixels().shape()));
        System.out.printf("cifar pixel mean %.4f, min %.4f, max %.4f%n", train.pixels().meanNumber().doubleValue(),
                train.pixels().minNumber().doubleValue(), train.pixels().maxNumber().doubleValue());

        Images cats = Kittens.load(2000, 48);
        System.out.println("kittens shape: " + Arrays.toString(cats.pixels().shape()));
        System.out.printf("kittens pixel mean %.4f, std %.4f%n", cats.pixels().meanNumber().doubleValue(), cats.pixels().stdNumber().doubleValue());
        // no two photos the same after scaling (a decoding or indexing slip would repeat one)
        double closest = Double.MAX_VALUE;
        for (int i = 0; i + 1 < cats.size(); i++) {
            closest = Math.min(closest, cats.pixels().getRow(i).distance2(cats.pixels().getRow(i + 1)));
        }
        System.out.printf("kittens closest neighbours: %.3f%n", closest);
    }
}
