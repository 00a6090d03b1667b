package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Base of the API endpoints: turns an {@link ApiException} into its error answer, a bug into a 500. */
abstract class ApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    @Override
    public final void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                handleApi(exchange);
            } catch (ApiException e) {
                LOG.debug("{} {} -> {} {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                        e.error().httpStatus(), e.error().code());
                HttpIo.sendError(exchange, e.error());
            } catch (RuntimeException e) {
                LOG.error("sandbox bug answering {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                HttpIo.sendError(exchange, ApiError.INTERNAL_SERVER_ERROR);
            }
        }
    }

    /** Answers the request, or throws the provider's error for it. */
    abstract void handleApi(HttpExchange exchange) throws ApiException, IOException;
}
