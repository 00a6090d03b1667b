package dev.soracamel.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Makes a valid MP4 of an exact size out of a small sample by appending one top-level {@code free} box,
 * which every MP4 reader skips. The padding is generated while streaming, never held in memory, so
 * gigabyte-sized results cost nothing but the bytes on the wire.
 */
public final class Mp4Padding {

    /** Smallest free box: 32-bit size and type. */
    static final int COMPACT_HEADER = 8;
    /** Free box with size 1 and a 64-bit largesize after the type, for boxes over 4 GiB - 1. */
    static final int LARGE_HEADER = 16;
    private static final long MAX_COMPACT_BOX = 0xFFFF_FFFFL;

    private Mp4Padding() {
    }

    /** The size actually served: {@code target}, or the sample's size when the target leaves no room for a box. */
    public static long servedSize(int sampleSize, long target) {
        return target >= (long) sampleSize + COMPACT_HEADER ? target : sampleSize;
    }

    /** The sample followed by a free box, {@link #servedSize} bytes in all. */
    public static InputStream stream(byte[] sample, long target) {
        long size = servedSize(sample.length, target);
        return new PaddedStream(sample, freeBoxHeader(size - sample.length), size);
    }

    /** Writes {@code count} bytes of {@link #stream} to {@code out}. */
    public static void copy(byte[] sample, long target, OutputStream out, long count) throws IOException {
        try (InputStream in = stream(sample, target)) {
            byte[] buffer = new byte[64 * 1024];
            long left = count;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new IOException("padded stream ended early");
                }
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    /** Header of a free box of {@code boxSize} bytes in all; empty when there is no box. */
    static byte[] freeBoxHeader(long boxSize) {
        if (boxSize == 0) {
            return new byte[0];
        }
        if (boxSize <= MAX_COMPACT_BOX) {
            byte[] h = new byte[COMPACT_HEADER];
            putInt(h, 0, boxSize);
            putType(h, 4);
            return h;
        }
        byte[] h = new byte[LARGE_HEADER];
        putInt(h, 0, 1);
        putType(h, 4);
        putInt(h, 8, boxSize >>> 32);
        putInt(h, 12, boxSize & 0xFFFF_FFFFL);
        return h;
    }

    private static void putType(byte[] h, int at) {
        h[at] = 'f';
        h[at + 1] = 'r';
        h[at + 2] = 'e';
        h[at + 3] = 'e';
    }

    private static void putInt(byte[] h, int at, long v) {
        h[at] = (byte) (v >>> 24);
        h[at + 1] = (byte) (v >>> 16);
        h[at + 2] = (byte) (v >>> 8);
        h[at + 3] = (byte) v;
    }

    /** Sample, then box header, then zeros up to the total; skip() is O(1) so tests can check huge sizes. */
    private static final class PaddedStream extends InputStream {
        private final byte[] sample;
        private final byte[] header;
        private final long total;
        private long pos;

        PaddedStream(byte[] sample, byte[] header, long total) {
            this.sample = sample;
            this.header = header;
            this.total = total;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (pos >= total) {
                return -1;
            }
            int n = (int) Math.min(len, total - pos);
            int done = 0;
            while (done < n) {
                long p = pos + done;
                int chunk;
                if (p < sample.length) {
                    chunk = (int) Math.min(n - done, sample.length - p);
                    System.arraycopy(sample, (int) p, b, off + done, chunk);
                } else if (p < sample.length + header.length) {
                    int h = (int) (p - sample.length);
                    chunk = Math.min(n - done, header.length - h);
                    System.arraycopy(header, h, b, off + done, chunk);
                } else {
                    chunk = n - done;
                    Arrays.fill(b, off + done, off + done + chunk, (byte) 0);
                }
                done += chunk;
            }
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, total - pos));
            pos += k;
            return k;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, total - pos);
        }
    }
}
