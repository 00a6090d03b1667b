package dev.soracamel.intake;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.validate.Rejection;

/**
 * One request read from an intake file (a file may hold one request or an array of them).
 *
 * @param requestId a safe id: the request's own {@code request_id}, or one derived from the file name
 * @param request   the request, or null when the file or element could not be read as one
 * @param original  the bytes to put in the dead-letter channel if it is rejected; null means the whole
 *                  intake file (which may be large or not text at all)
 * @param source    the intake file's name, for the record
 */
public record IntakeItem(String requestId, ObjectNode request, byte[] original, String source, Rejection rejection) {

    public IntakeItem reject(Rejection why) {
        return new IntakeItem(requestId, request, original, source, why);
    }
}
