package dev.soracamel.flow;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.http.HttpComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A provider call whose claim lapsed is never written to the wire; a fresh one goes out without the marker. */
class ClaimGuardTest {

    HttpServer provider;
    final List<String> received = new CopyOnWriteArrayList<>();
    CamelContext ctx;
    ProducerTemplate template;

    @BeforeEach
    void start() throws Exception {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/", x -> {
            received.add(String.valueOf(x.getRequestHeaders().getFirst(ClaimGuard.HEADER)));
            x.sendResponseHeaders(200, 2);
            x.getResponseBody().write("{}".getBytes());
            x.close();
        });
        provider.start();
        ctx = new DefaultCamelContext();
        // wired as the pipeline wires its provider clients
        HttpComponent http = new HttpComponent();
        http.setHttpClientConfigurer(ClaimGuard::install);
        ctx.addComponent("api", http);
        ctx.start();
        template = ctx.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        ctx.stop();
        provider.stop(0);
    }

    Exchange call(long sendBy) {
        String url = "http://127.0.0.1:" + provider.getAddress().getPort() + "/v2/yesvideo/status";
        return template.request("api:" + url.substring("http:".length()) + "?throwExceptionOnFailure=false", ex -> {
            ex.getMessage().setHeader(Exchange.HTTP_METHOD, "GET");
            ex.getMessage().setHeader(ClaimGuard.HEADER, sendBy);
        });
    }

    @Test
    void a_call_on_a_lapsed_claim_never_reaches_the_provider() {
        Exchange ex = call(System.nanoTime() - 1_000_000);

        assertThat(ex.getException()).isNotNull();
        assertThat(JobBoard.neverSent(ex.getException())).as("treated as never sent: nothing can have been created")
                .isTrue();
        assertThat(received).isEmpty();
    }

    @Test
    void a_call_on_a_fresh_claim_goes_out_without_the_marker() {
        Exchange ex = call(System.nanoTime() + 5_000_000_000L);

        assertThat(ex.getException()).isNull();
        assertThat(ex.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class)).isEqualTo(200);
        assertThat(received).containsExactly("null");
    }
}
