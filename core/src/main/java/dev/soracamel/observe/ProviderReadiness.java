package dev.soracamel.observe;

import java.util.Map;

import dev.soracamel.flow.JobBoard;
import dev.soracamel.flow.ProviderView;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Readiness of one provider: DOWN while the board has it paused (a refused token, no credit: 401/403,
 * UNAUTHORIZED, NOT_ENOUGH_RPOINTS, insufficient_quota), with the provider's code and message; UP again once
 * a call to it goes through. A pause stops work without losing any, so it is not a liveness matter:
 * restarting the process would not bring credit back.
 */
final class ProviderReadiness extends AbstractHealthCheck {

    static final String GROUP = "sora";

    private final JobBoard board;
    private final String provider;

    ProviderReadiness(JobBoard board, String pipeline, String provider) {
        super(GROUP, pipeline + "-provider-" + provider);
        this.board = board;
        this.provider = provider;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return true;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        ProviderView v = board.queries().providerViews().stream().filter(p -> p.name().equals(provider)).findFirst().orElse(null);
        builder.detail("provider", provider);
        if (v == null) {
            builder.down().message("provider " + provider + " is not configured in this pipeline");
            return;
        }
        builder.detail("queued", v.queued());
        builder.detail("active", v.active());
        builder.detail("limit", v.limit());
        if (v.paused()) {
            builder.detail("pause.code", v.pauseCode());
            builder.detail("pause.message", v.pauseMessage() == null ? "" : v.pauseMessage());
            if (v.pausedSince() != null) {
                builder.detail("paused.since", v.pausedSince().toString());
            }
            builder.message("provider " + provider + " is paused: " + v.pauseCode()
                    + (v.pauseMessage() == null ? "" : " (" + v.pauseMessage() + ")")
                    + (v.pausedSince() == null ? "" : " since " + v.pausedSince())
                    + "; " + v.queued() + " jobs wait, none is dead-lettered");
            builder.down();
        } else {
            builder.up();
        }
    }
}
