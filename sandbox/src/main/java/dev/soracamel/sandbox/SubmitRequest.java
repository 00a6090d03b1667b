package dev.soracamel.sandbox;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A submit body whose model fields passed checking. {@code customerId} is kept raw because the provider
 * checks it only after fetching the image (step 10 of the submit order).
 */
record SubmitRequest(String version, String prompt, int resolution, String dimensions, int duration,
                     String imageUrl, JsonNode customerId) {
}
