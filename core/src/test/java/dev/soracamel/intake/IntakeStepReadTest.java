package dev.soracamel.intake;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.soracamel.SoraPipeline;
import org.apache.camel.Exchange;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.Abortable;

import static org.assertj.core.api.Assertions.assertThat;

/** How the intake reads an S3 object: as a stream, never more than the limit, and folder markers not at all. */
class IntakeStepReadTest {

    static final int MAX = 64;

    private final IntakeStep intake = new IntakeStep(null, new RequestParser(SoraPipeline.jsonMapper(), MAX), null);

    @Test
    void an_object_within_the_limit_is_read_whole_and_kept_for_its_dead_letter() throws Exception {
        byte[] content = "{\"version\": \"2\"}".getBytes(StandardCharsets.UTF_8);
        Exchange ex = object("inbox/one.json", content);

        List<IntakeItem> items = intake.read(ex);

        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.requestId()).isEqualTo("one");
            assertThat(i.source()).isEqualTo("inbox/one.json");
            assertThat(i.request().path("version").asText()).isEqualTo("2");
        });
        assertThat(ex.getProperty(IntakeStep.INTAKE_FILE, byte[].class)).isEqualTo(content);
        assertThat(stream(ex).aborted).isFalse();
    }

    @Test
    void of_a_larger_object_only_the_limit_is_read_and_its_download_is_aborted() throws Exception {
        byte[] content = new byte[10 * MAX];
        Exchange ex = object("inbox/huge.json", content);

        List<IntakeItem> items = intake.read(ex);

        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.rejection().code()).isEqualTo("REQUEST_FILE_TOO_LARGE");
            assertThat(i.rejection().message()).contains("first " + MAX + " bytes");
        });
        assertThat(ex.getProperty(IntakeStep.INTAKE_FILE, byte[].class)).hasSize(MAX);
        assertThat(stream(ex).aborted).isTrue();
        assertThat(stream(ex).read).as("bytes taken from the connection").isLessThanOrEqualTo(MAX + 1);
    }

    @Test
    void objects_of_one_name_under_two_sub_prefixes_are_two_requests() throws Exception {
        byte[] content = "{\"version\": \"2\"}".getBytes(StandardCharsets.UTF_8);
        IntakeItem a = intake.read(object("inbox/team-a/clip.json", content)).get(0);
        IntakeItem b = intake.read(object("inbox/team-b/clip.json", content)).get(0);

        assertThat(a.requestId()).isNotEqualTo(b.requestId()).startsWith("team-a_clip+");
        assertThat(b.requestId()).startsWith("team-b_clip+");
        assertThat(RequestIds.isSafe(a.requestId())).isTrue();
        assertThat(a.source()).isEqualTo("inbox/team-a/clip.json");
        assertThat(a.origin()).isEqualTo("s3://bucket/inbox/team-a/clip.json");
    }

    @Test
    void a_file_that_cannot_be_read_is_a_dead_letter_with_a_reason_not_a_crash(@org.junit.jupiter.api.io.TempDir
                                                                               java.nio.file.Path tmp) throws Exception {
        // a regular file whose every read fails, as an unreadable file does (root reads through file modes)
        java.nio.file.Path mem = java.nio.file.Path.of("/proc/self/mem");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isRegularFile(mem));
        List<IntakeItem> items = intake.read(file(mem, "mem.json"));
        assertThat(items).singleElement().satisfies(i -> {
            assertThat(i.rejection().code()).isEqualTo("FILE_NOT_READABLE");
            assertThat(i.rejection().message()).contains("/proc/self/mem").doesNotContain("Exception");
            assertThat(i.origin()).isEqualTo("/proc/self/mem");
        });

        // a link swapped in after the inbox filter looked: not opened
        java.nio.file.Path target = java.nio.file.Files.writeString(tmp.resolve("target.json"), "{\"secret\": 1}");
        java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(tmp.resolve("link.json"), target);
        Exchange ex = file(link, "link.json");
        assertThat(intake.read(ex)).singleElement().satisfies(i -> {
            assertThat(i.rejection().code()).isEqualTo("FILE_NOT_READABLE");
            assertThat(new String(i.original(), StandardCharsets.UTF_8)).doesNotContain("secret");
        });
        assertThat(new String(ex.getProperty(IntakeStep.INTAKE_FILE, byte[].class), StandardCharsets.UTF_8))
                .doesNotContain("secret");
    }

    @Test
    void of_a_large_file_only_the_limit_is_read(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path big = tmp.resolve("big.txt");
        try (var f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(1L << 30);
        }
        Exchange ex = file(big, "big.txt");
        List<IntakeItem> items = intake.read(ex);
        assertThat(items.get(0).rejection().code()).isEqualTo("NOT_A_JSON_FILE");
        assertThat(items.get(0).rejection().message()).contains("first " + MAX + " bytes");
        assertThat(ex.getProperty(IntakeStep.INTAKE_FILE, byte[].class)).hasSize(MAX);
    }

    private static Exchange file(java.nio.file.Path path, String name) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setHeader(Exchange.FILE_NAME_ONLY, name);
        ex.getMessage().setBody(path.toFile());
        return ex;
    }

    @Test
    void a_folder_marker_holds_no_request() throws Exception {
        Exchange ex = object("inbox/folder/", new byte[0]);

        assertThat(intake.read(ex)).isEmpty();
    }

    private static Exchange object(String key, byte[] content) {
        Exchange ex = new DefaultExchange(new DefaultCamelContext());
        ex.getMessage().setHeader(AWS2S3Constants.KEY, key);
        ex.getMessage().setHeader(AWS2S3Constants.BUCKET_NAME, "bucket");
        ex.setProperty(IntakeStep.S3_PREFIX, "inbox/");
        ex.getMessage().setHeader(AWS2S3Constants.CONTENT_LENGTH, (long) content.length);
        ex.getMessage().setBody(new ObjectStream(content));
        return ex;
    }

    private static ObjectStream stream(Exchange ex) {
        return ex.getMessage().getBody(ObjectStream.class);
    }

    /** Like the S3 client's response stream: it can be aborted, and counts what was taken from it. */
    static final class ObjectStream extends ByteArrayInputStream implements Abortable {
        boolean aborted;
        int read;

        ObjectStream(byte[] content) {
            super(content);
        }

        @Override
        public synchronized int read() {
            int b = super.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
        }

        @Override
        public void abort() {
            aborted = true;
        }
    }
}
