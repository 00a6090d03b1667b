package dev.soracamel.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything under {@code /v1/}: routes the four simulated endpoints and turns an {@link OpenAiException}
 * into OpenAI's error answer, a bug into a 500 in the same shape. Any other path or method, deleting videos
 * included, is answered as OpenAI answers an unknown route: 404 "Invalid URL".
 */
final class VideosHandler implements HttpHandler {

    static final String PREFIX = "/v1/";
    static final String VIDEOS = "/v1/videos";
    private static final Pattern ONE_VIDEO = Pattern.compile("/v1/videos/([A-Za-z0-9_-]{1,200})(/content)?");
    private static final Logger LOG = LoggerFactory.getLogger(VideosHandler.class);

    private final VideoCreate create;
    private final VideoRetrieve retrieve;
    private final VideoContent content;
    private final VideoList list;

    VideosHandler(VideoCreate create, VideoRetrieve retrieve, VideoContent content, VideoList list) {
        this.create = create;
        this.retrieve = retrieve;
        this.content = content;
        this.list = list;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            try {
                route(exchange);
            } catch (OpenAiException e) {
                OpenAiError error = e.error();
                LOG.debug("{} {} -> {} {}", exchange.getRequestMethod(), exchange.getRequestURI(),
                        error.httpStatus(), error.code());
                HttpIo.sendJson(exchange, error.httpStatus(), error.body(), error.headers());
            } catch (RuntimeException e) {
                LOG.error("sandbox bug answering {} {}", exchange.getRequestMethod(), exchange.getRequestURI(), e);
                OpenAiError error = OpenAiError.serverError();
                HttpIo.sendJson(exchange, error.httpStatus(), error.body());
            }
        }
    }

    private void route(HttpExchange exchange) throws OpenAiException, IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        if (path.equals(VIDEOS) && method.equals("POST")) {
            create.handle(exchange);
            return;
        }
        if (path.equals(VIDEOS) && method.equals("GET")) {
            list.handle(exchange);
            return;
        }
        Matcher m = ONE_VIDEO.matcher(path);
        if (m.matches() && method.equals("GET")) {
            if (m.group(2) == null) {
                retrieve.handle(exchange, m.group(1));
            } else {
                content.handle(exchange, m.group(1));
            }
            return;
        }
        throw new OpenAiException(OpenAiError.invalidUrl(method, path));
    }
}
