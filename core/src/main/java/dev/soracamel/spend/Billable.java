package dev.soracamel.spend;

/**
 * What a provider bills one task by: the model (Yes Ai: version), the resolution or size, and the seconds
 * of video. Prices are looked up by the first two and multiplied by the third.
 *
 * @param variant the Yes Ai resolution ("720", "1080") or the /v1/videos size ("1280x720")
 */
public record Billable(String model, String variant, int seconds) {

    @Override
    public String toString() {
        return model + " " + variant + " " + seconds + " s";
    }
}
