package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Padding keeps the sample a valid MP4: its boxes, then one free box that ends exactly at the target. */
class Mp4PaddingTest {

    private static byte[] sample;

    @BeforeAll
    static void load() throws Exception {
        try (InputStream in = Mp4PaddingTest.class.getResourceAsStream(SandboxServer.SAMPLE_RESOURCE)) {
            sample = in.readAllBytes();
        }
    }

    @Test
    void sampleIsASmallMp4() {
        assertThat(sample.length).isBetween(1_000, 60_000);
        assertThat(type(sample, 4)).isEqualTo("ftyp");
        assertWellFormedBoxes(sample, false);
    }

    @Test
    void paddedStreamHasTheExactSizeAndEndsWithAFreeBox() throws Exception {
        for (long target : new long[] {sample.length + 8, sample.length + 9, 3_000_000}) {
            byte[] padded = readAll(Mp4Padding.stream(sample, target));
            assertThat(padded).hasSize((int) target);
            assertThat(Arrays.copyOf(padded, sample.length)).isEqualTo(sample);
            assertThat(type(padded, 4)).isEqualTo("ftyp");
            assertThat(ByteBuffer.wrap(padded, sample.length, 4).getInt() & 0xFFFF_FFFFL)
                    .isEqualTo(target - sample.length);
            assertThat(type(padded, sample.length + 4)).isEqualTo("free");
            assertWellFormedBoxes(padded, true);
        }
    }

    @Test
    void targetsWithoutRoomForABoxServeTheSample() throws Exception {
        for (long target : new long[] {0, 100, sample.length, sample.length + 7}) {
            assertThat(Mp4Padding.servedSize(sample.length, target)).isEqualTo(sample.length);
            assertThat(readAll(Mp4Padding.stream(sample, target))).isEqualTo(sample);
        }
    }

    @Test
    void targetsOver4GiBUseTheLargeSizeForm() throws Exception {
        long target = 5L * 1024 * 1024 * 1024;
        try (InputStream in = Mp4Padding.stream(sample, target)) {
            byte[] head = in.readNBytes(sample.length + 16);
            ByteBuffer box = ByteBuffer.wrap(head, sample.length, 16);
            assertThat(box.getInt()).isEqualTo(1);
            assertThat(type(head, sample.length + 4)).isEqualTo("free");
            box.position(sample.length + 8);
            assertThat(box.getLong()).isEqualTo(target - sample.length);
            // skip() is O(1), so the tail can be checked without producing 5 GiB
            long left = target - head.length - 10;
            assertThat(in.skip(left)).isEqualTo(left);
            assertThat(in.readAllBytes()).containsExactly(new byte[10]);
        }
    }

    @Test
    void copyWritesAPrefix() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Mp4Padding.copy(sample, 200_000, out, 100_000);
        assertThat(out.size()).isEqualTo(100_000);
    }

    /** Walks the top-level boxes: each size must be sane and the last must end exactly at the end. */
    static void assertWellFormedBoxes(byte[] mp4, boolean endsWithFree) {
        ByteBuffer b = ByteBuffer.wrap(mp4);
        int boxes = 0;
        String last = null;
        while (b.position() < mp4.length) {
            int start = b.position();
            assertThat(mp4.length - start).as("room for a box header at %d", start).isGreaterThanOrEqualTo(8);
            long size = b.getInt() & 0xFFFF_FFFFL;
            last = type(mp4, start + 4);
            b.position(start + 8);
            if (size == 1) {
                size = b.getLong();
            }
            assertThat(size).as("size of box %s at %d", last, start).isGreaterThanOrEqualTo(8)
                    .isLessThanOrEqualTo(mp4.length - start);
            b.position((int) (start + size));
            boxes++;
        }
        assertThat(b.position()).isEqualTo(mp4.length);
        assertThat(boxes).isGreaterThanOrEqualTo(3); // ftyp, moov, mdat at least
        if (endsWithFree) {
            assertThat(last).isEqualTo("free");
        }
    }

    private static String type(byte[] b, int at) {
        return new String(b, at, 4, StandardCharsets.US_ASCII);
    }

    private static byte[] readAll(InputStream in) throws Exception {
        try (in) {
            return in.readAllBytes();
        }
    }
}
