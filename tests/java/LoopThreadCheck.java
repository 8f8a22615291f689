import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.rapaio.jupyter.kernel.channels.LoopThread;

/**
 * Run by tests/test_rapaio_fix.py with the kernel's classpath: which LoopThread the kernel loads, whether every loop
 * thread runs its body (500 starts), and whether a body that throws once leaves the loop running.
 */
public class LoopThreadCheck {
    public static void main(String[] args) throws Exception {
        System.out.println("loaded from " + LoopThread.class.getProtectionDomain().getCodeSource().getLocation());

        int starts = 500, silent = 0;
        for (int i = 0; i < starts; i++) {
            CountDownLatch ran = new CountDownLatch(1);
            LoopThread loop = new LoopThread("check-" + i, 1, ran::countDown);
            loop.start();
            if (!ran.await(2, TimeUnit.SECONDS)) {
                silent++;
            }
            loop.shutdown();
            loop.join(2000);
        }
        System.out.println("threads that never ran their loop: " + silent + " of " + starts);

        AtomicInteger passes = new AtomicInteger();
        LoopThread loop = new LoopThread("check-throws", 1, () -> {
            if (passes.incrementAndGet() == 1) {
                throw new IllegalStateException("a failing pass (expected by the check)");
            }
        });
        loop.start();
        long deadline = System.currentTimeMillis() + 5000;
        while (passes.get() < 3 && System.currentTimeMillis() < deadline) {
            Thread.sleep(5);
        }
        loop.shutdown();
        System.out.println("passes after a failing one: " + (passes.get() - 1));
    }
}
