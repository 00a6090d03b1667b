package dev.soracamel.flow;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.hc.core5.http.io.EofSensorInputStream;

/**
 * A download's body with a deadline for the whole transfer and a cap on its size. A read after the deadline, or
 * past the cap, fails; and at the deadline the connection is aborted, so a read that waits on a silent host
 * ends too. Aborted, not closed: closing an HTTP body stream reads the rest of it first, which a hostile host
 * can make last forever.
 */
final class BoundedStream extends FilterInputStream {

    /** The download's own failure, retried like any other while the link lives (a slow host may be faster later). */
    static final class TooSlow extends IOException {
        TooSlow(String message) {
            super(message);
        }
    }

    /** More bytes than any video should have: retrying cannot help. */
    static final class TooLarge extends IOException {
        TooLarge(String message) {
            super(message);
        }
    }

    private static final ScheduledExecutorService WATCH = watch();

    private static ScheduledExecutorService watch() {
        java.util.concurrent.ScheduledThreadPoolExecutor w = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sora-download-deadline");
            t.setDaemon(true);
            return t;
        });
        // a finished download's watch leaves at once, not at its deadline half an hour later
        w.setRemoveOnCancelPolicy(true);
        return w;
    }

    private final long deadlineNanos;
    private final long maxBytes;
    private final String deadlineText;
    private final ScheduledFuture<?> abort;
    private long count;
    private volatile boolean aborted;

    BoundedStream(InputStream in, long deadlineNanos, long maxBytes, String deadlineText) {
        super(in);
        this.deadlineNanos = deadlineNanos;
        this.maxBytes = maxBytes;
        this.deadlineText = deadlineText;
        long delay = Math.max(0, deadlineNanos - System.nanoTime());
        this.abort = WATCH.schedule((Runnable) this::abort, delay, TimeUnit.NANOSECONDS);
    }

    private void abort() {
        aborted = true;
        abort(in);
    }

    static void abort(InputStream in) {
        if (in instanceof EofSensorInputStream e) {
            try {
                e.abort();
            } catch (IOException ignored) {
                // the connection is gone either way
            }
        } else {
            // not an HTTP body we know: close it on its own thread, so a close that drains cannot hold ours
            Thread t = new Thread(() -> {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }, "sora-download-abort");
            t.setDaemon(true);
            t.start();
        }
    }

    private void check() throws IOException {
        if (aborted || System.nanoTime() - deadlineNanos > 0) {
            abort.cancel(false);
            aborted = true;
            abort(in);
            throw new TooSlow("the download did not finish within its deadline (" + deadlineText + ")");
        }
    }

    private int counted(int n) throws IOException {
        if (n > 0) {
            count += n;
            if (count > maxBytes) {
                abort.cancel(false);
                aborted = true;
                abort(in);
                throw new TooLarge("the download passed " + maxBytes + " bytes (sora.download.max-bytes)");
            }
        } else if (n < 0) {
            abort.cancel(false);
        }
        return n;
    }

    @Override
    public int read() throws IOException {
        check();
        int b;
        try {
            b = super.read();
        } catch (IOException e) {
            check();
            throw e;
        }
        counted(b < 0 ? -1 : 1);
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check();
        int n;
        try {
            n = super.read(b, off, len);
        } catch (IOException e) {
            check();
            throw e;
        }
        return counted(n);
    }

    @Override
    public long skip(long n) throws IOException {
        check();
        return super.skip(n);
    }

    @Override
    public void close() throws IOException {
        abort.cancel(false);
        if (aborted) {
            return;
        }
        super.close();
    }
}
