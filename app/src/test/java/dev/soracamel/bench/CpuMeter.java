package dev.soracamel.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How busy the machine was, and how much of that was not the bench: the bench JVM with the sandbox and the
 * baseline in it, and its children (the pipeline's JVMs, curl) once they ended. The machine may be shared,
 * so every scenario says how much CPU other processes took while it ran. Linux only (/proc); elsewhere it
 * reports nothing.
 */
final class CpuMeter {

    private static final Path STAT = Path.of("/proc/stat");
    private static final Path SELF = Path.of("/proc/self/stat");
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final long busy0;
    private final long total0;
    private final long ours0;
    private final long nanos0;

    CpuMeter() {
        long[] s = machine();
        busy0 = s[0];
        total0 = s[1];
        ours0 = ours();
        nanos0 = System.nanoTime();
    }

    static boolean available() {
        return Files.isReadable(STAT) && Files.isReadable(SELF);
    }

    /** CPU other processes used since this meter was made, in cores (0 .. nproc); NaN if unknown. */
    double othersCores() {
        if (!available()) {
            return Double.NaN;
        }
        long[] s = machine();
        double total = s[1] - total0;
        if (total <= 0) {
            return 0;
        }
        double busyCores = (s[0] - busy0) / total * CORES;
        double seconds = (System.nanoTime() - nanos0) / 1e9;
        double oursCores = (ours() - ours0) / (double) ticksPerSecond() / seconds;
        return Math.max(0, busyCores - oursCores);
    }

    String describe() {
        double o = othersCores();
        if (Double.isNaN(o)) {
            return "machine load unknown";
        }
        return String.format("other processes on the machine used %.2f of %d cores meanwhile (load average %s)", o, CORES,
                loadAverage());
    }

    /**
     * Waits until other processes leave the machine nearly idle (under a quarter of a core for half a second), at
     * most {@code maxSeconds}. @return true when it got quiet
     */
    static boolean awaitQuiet(int maxSeconds) throws InterruptedException {
        if (!available()) {
            return true;
        }
        long end = System.nanoTime() + maxSeconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            CpuMeter m = new CpuMeter();
            Thread.sleep(500);
            if (m.othersCores() < 0.25) {
                return true;
            }
        }
        return false;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** {busy, total} jiffies of all cores. */
    private static long[] machine() {
        try {
            String cpu = Files.readAllLines(STAT).get(0);
            String[] f = cpu.trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** utime + stime + cutime + cstime of the bench JVM: itself and its children that ended. */
    private static long ours() {
        try {
            String s = Files.readString(SELF);
            String[] f = s.substring(s.lastIndexOf(')') + 2).split("\\s+");
            // fields after the command: state(3) ... utime(14) stime(15) cutime(16) cstime(17), counted from 3
            return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private static long ticksPerSecond() {
        return 100; // USER_HZ on Linux
    }
}
