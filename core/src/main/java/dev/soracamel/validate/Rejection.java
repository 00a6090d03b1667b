package dev.soracamel.validate;

/**
 * Why a request cannot go on: a code (the seed's own code name where it has one, e.g.
 * {@code DURATION_NOT_VALID}) and a sentence a person can act on.
 */
public record Rejection(String code, String message) {
}
