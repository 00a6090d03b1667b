package dev.soracamel.flow;

import dev.soracamel.job.Job;
import dev.soracamel.provider.HttpAnswer;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;

/** Exchange property names the routes and beans share, and small helpers around them. */
public final class Flow {

    /** The provider a timer route works for (set by the route template). */
    public static final String PROVIDER = "soraProvider";
    /** The {@link Job} the exchange is about. */
    public static final String JOB = "soraJob";
    /** What the route does next: a {@link Next} name. */
    public static final String NEXT = "soraNext";
    /** An intake item being accepted or rejected. */
    public static final String ITEM = "soraItem";
    /** The name of the pipeline the exchange belongs to (set where a shared bean needs to find its own). */
    public static final String PIPELINE = "soraPipeline";
    /** Set while this exchange holds a provider call gate that must be released. */
    public static final String GATE = "soraGate";

    private Flow() {
    }

    public static Job job(Exchange ex) {
        return ex.getProperty(JOB, Job.class);
    }

    public static void next(Exchange ex, Next next) {
        ex.setProperty(NEXT, next.name());
    }

    /**
     * Names what a storage endpoint writes next, for a folder (CamelFileName) and for S3 (CamelAwsS3Key
     * under the endpoint's prefix) alike, so one route serves both.
     */
    public static void storageName(Exchange ex, String keyPrefix, String name, String contentType) {
        Message m = ex.getMessage();
        m.setHeader(Exchange.FILE_NAME, name);
        m.setHeader(AWS2S3Constants.KEY, keyPrefix + name);
        m.setHeader(AWS2S3Constants.CONTENT_TYPE, contentType);
    }

    /**
     * Puts an HTTP call on the message. Headers are cleared first: camel-http would send every message
     * header to the provider, and ours must not leak there.
     */
    static void prepareCall(Exchange ex, dev.soracamel.provider.HttpCall call, String token, long sendBy) {
        Message m = ex.getMessage();
        m.getHeaders().clear();
        // read, and removed, by the HTTP client's ClaimGuard right before the request is written
        m.setHeader(ClaimGuard.HEADER, sendBy);
        m.setHeader(Exchange.HTTP_METHOD, call.method());
        m.setHeader(Exchange.HTTP_URI, call.url());
        m.setHeader("Accept", "application/json");
        if (token != null && !token.isBlank()) {
            m.setHeader("Authorization", "Bearer " + token);
        }
        call.headers().forEach(m::setHeader);
        if (call.jsonBody() != null) {
            m.setHeader(Exchange.CONTENT_TYPE, "application/json");
            m.setBody(call.jsonBody());
        } else {
            m.setBody(null);
        }
    }

    /**
     * Reads the answer (status, body, response headers) and drops every message header, the token among
     * them, so none travels further.
     */
    static HttpAnswer takeAnswer(Exchange ex) {
        Message m = ex.getMessage();
        Integer code = m.getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String body = m.getBody(String.class);
        java.util.Map<String, String> headers = new java.util.HashMap<>();
        m.getHeaders().forEach((k, v) -> {
            if (v != null && !k.startsWith("Camel") && !k.equalsIgnoreCase("Authorization")) {
                headers.put(k, v.toString());
            }
        });
        m.getHeaders().clear();
        return new HttpAnswer(code == null ? 0 : code, body, headers);
    }
}
