package dev.soracamel.flow;

import java.io.IOException;

import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecChainHandler;
import org.apache.hc.client5.http.impl.ChainElement;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last look before a provider call leaves: a call claimed from the repository carries the moment its claim's
 * lease runs out (as this JVM's monotonic clock reads it); if that moment has passed, the process stalled (a long
 * GC pause, SIGSTOP) after the claim and another node may already have taken the account's gate or the job over,
 * so the call is not sent. It runs in the HTTP client's chain after the connection is made, right before the
 * request is written, so that neither a slow connect nor a pause before it can send a call on a lapsed claim.
 */
public final class ClaimGuard implements ExecChainHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimGuard.class);

    /** The message header that carries the deadline ({@link System#nanoTime()}); never sent to the provider. */
    public static final String HEADER = "SoraClaimDeadline";

    /** The call was not sent because its claim lapsed: nothing reached the provider. */
    public static final class ClaimLapsedException extends IOException {
        public ClaimLapsedException(String message) {
            super(message);
        }
    }

    /** Adds the guard to an HTTP client, after the connect step. */
    public static void install(HttpClientBuilder builder) {
        builder.addExecInterceptorAfter(ChainElement.CONNECT.name(), "sora-claim-guard", new ClaimGuard());
    }

    @Override
    public ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        Header deadline = request.getFirstHeader(HEADER);
        if (deadline != null) {
            request.removeHeaders(HEADER);
            long left = Long.parseLong(deadline.getValue()) - System.nanoTime();
            if (left < 0) {
                throw new ClaimLapsedException("the claim for this call lapsed " + (-left / 1_000_000)
                        + " ms before it could be sent (the process stalled?); it was not sent");
            }
            // the one moment a crash test can aim at: from here the provider may act on the call
            LOG.debug("provider call leaves: {} {}", request.getMethod(), request.getRequestUri());
        }
        return chain.proceed(request, scope);
    }
}
