package dev.soracamel.provider;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import dev.soracamel.job.Job;

/**
 * The {@code Idempotency-Key} of a job's create (IETF draft "The Idempotency-Key HTTP Header Field"). A
 * server that honours it answers a repeated create with the same key and body with the task it created the
 * first time, so a create resent after a lost answer cannot pay twice there.
 * <p>
 * The key names the job and the attempt: it stays the same while the same submit is sent again (after an
 * unknown outcome), and changes for a deliberate new task (a resubmit after the provider timed a task out)
 * and after a refusal, which created nothing: a server that kept the refusal under the old key would
 * otherwise answer every retry with it. The accepted time is in it because a request id may come back once
 * retention has forgotten its job, and must not get the old job's video.
 */
public final class IdempotencyKey {

    public static final String HEADER = "Idempotency-Key";

    private IdempotencyKey() {
    }

    public static String of(Job job) {
        String who = job.requestId + "\n" + (job.acceptedAt == null ? "" : job.acceptedAt.toString());
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(who.getBytes(StandardCharsets.UTF_8));
            // header-safe characters only, whatever the request id holds
            return "sora-" + HexFormat.of().formatHex(hash, 0, 16) + "-t" + job.timeoutResubmits
                    + "-r" + job.submitRetries;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
