package dev.soracamel.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.validate.Rejection;

/**
 * One request read from an intake file (a file may hold one request or an array of them).
 *
 * @param requestId a safe id: the request's own {@code request_id}, or one derived from the file name
 * @param request   the request, or null when the file or element could not be read as one
 * @param original  the bytes to put in the dead-letter channel if it is rejected; null means the intake
 *                  file's first bytes as read (at most {@code sora.intake.max-file-bytes})
 * @param source    where it came from, as kept in the job's record: the file name in the inbox, the object's
 *                  key, or the entry's name (POST /jobs)
 * @param origin    the full source for a person to find it (the file's absolute path, s3://bucket/key), or null
 * @param derivedId true when the id was derived from the source's name rather than given by the request
 */
public record IntakeItem(String requestId, ObjectNode request, byte[] original, String source, Rejection rejection,
                         String origin, boolean derivedId) {

    public IntakeItem(String requestId, ObjectNode request, byte[] original, String source, Rejection rejection) {
        this(requestId, request, original, source, rejection, null, false);
    }

    public IntakeItem reject(Rejection why) {
        return new IntakeItem(requestId, request, original, source, why, origin, derivedId);
    }

    public IntakeItem withOrigin(String where) {
        return new IntakeItem(requestId, request, original, source, rejection, where, derivedId);
    }

    public IntakeItem withId(String id) {
        return new IntakeItem(id, request, original, source, rejection, origin, derivedId);
    }

    /** Where it came from, as fully as known. */
    public String where() {
        return origin != null ? origin : source;
    }
}
