package dev.soracamel.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What the sandbox test clients share: an HTTP client with this client's token, and pacing in provider time.
 * Paced calls keep 1.5 provider seconds between the end of one call and the start of the next of the same
 * kind, so the server sees arrivals at least that far apart and no test trips the rate rule by accident.
 */
abstract class PacedTestClient {

    private static final double PACE_PROVIDER_SECONDS = 1.5;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final SandboxServer server;
    final double timeScale;
    String token;

    PacedTestClient(SandboxServer server, double timeScale, String token) {
        this.server = server;
        this.timeScale = timeScale;
        this.token = token;
    }

    HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    HttpResponse<String> sendForText(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits out the pace since the previous call of a kind; returns that call's time unchanged. */
    long pace(long lastNanos) {
        if (lastNanos != 0) {
            sleepNanos(lastNanos + Math.round(PACE_PROVIDER_SECONDS * timeScale * 1e9) - System.nanoTime());
        }
        return lastNanos;
    }

    /** Sleeps until the given provider seconds have passed since {@code startNanos}. */
    void sleepUntilProviderSeconds(long startNanos, double providerSeconds) {
        sleepNanos(startNanos + Math.round(providerSeconds * timeScale * 1e9) - System.nanoTime());
    }

    static void sleepNanos(long nanos) {
        if (nanos <= 0) {
            return;
        }
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
