package dev.soracamel.examples.springboot;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The host's routes. {@code sora:orders} installs the pipeline from the {@code orders.*} keys of application.yml,
 * which Camel's {@code {{...}}} placeholders read from Spring's environment.
 */
@Component
public class OrdersRoutes extends RouteBuilder {

    @Override
    public void configure() {
        // one request (a JSON object) per file; the answer says accepted, duplicate or rejected with a code
        from("file:{{host.requests}}?include=.*\\.json&readLock=changed&filterFile=RAW(${file:size} <= 1048576)&move=.done&moveFailed=.failed").routeId("orders-requests")
                .convertBodyTo(String.class)
                .to("sora:orders")
                .log("request ${header.SoraJobId}: ${header.SoraOutcome} ${header.SoraCode}");
        // each video as a java.io.File named <customer>/<job>.mp4, then its metadata <customer>/<job>.json
        from("sora:orders?event=stored").routeId("orders-videos").to("file:{{host.videos}}");
        // the reason, then the original request, of each job that ended without a video
        from("sora:orders?event=dead").routeId("orders-rejects").to("file:{{host.rejects}}");
    }
}
