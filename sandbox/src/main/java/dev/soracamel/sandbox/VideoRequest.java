package dev.soracamel.sandbox;

/**
 * A {@code POST /v1/videos} body that passed checking, defaults filled in. {@code seconds} stays a string,
 * as the spec types it; at most one of {@code imageUrl} and {@code fileId} is set.
 */
record VideoRequest(VideoModel model, String prompt, String size, String seconds, String imageUrl, String fileId) {
}
