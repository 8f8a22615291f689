package org.rapaio.jupyter.kernel.channels;

/**
 * A fix for rapaio-jupyter-kernel 3.0.1, put before its jar on the kernel's classpath by scripts/setup.sh.
 *
 * <p>The kernel's shell, control and heartbeat sockets are each served by a LoopThread: a thread that runs a loop
 * body (poll the socket, handle a message) every few milliseconds while a "running" flag is set. In 3.0.1,
 * {@code start()} starts the thread first and sets the flag after it. When the new thread gets to its loop before the
 * starting thread sets the flag, it sees "not running" and ends at once: the socket stays bound, nobody reads it, and
 * the kernel never answers (a notebook stuck on "connecting"; an interrupt or shutdown request that nobody reads).
 * Measured on 2 cores: 3 of 25 kernel starts never answered, and 3 of 10 shutdown requests went unanswered.
 *
 * <p>This class has the same name and public API and sets the flag before the thread starts. It also keeps the loop
 * alive when one pass of the body throws (3.0.1's thread dies, and its socket with it): the error is printed to the
 * kernel's log and the next pass goes on. Remove this folder once a rapaio release sets the flag first.
 */
public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleepMillis;
    private final Runnable body;

    public LoopThread(String name, long sleepMillis, Runnable body) {
        super(name);
        this.sleepMillis = sleepMillis;
        this.body = body;
    }

    @Override
    public synchronized void start() {
        running = true;  // before the thread exists: its first look at the flag must see it set
        super.start();
    }

    @Override
    public void run() {
        while (running) {
            try {
                body.run();
            } catch (RuntimeException e) {
                System.err.println("[" + getName() + "] one pass of the loop failed; the loop goes on:");
                e.printStackTrace();
            }
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    public void shutdown() {
        running = false;
    }
}
