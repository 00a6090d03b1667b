package dev.soracamel;

import java.util.Set;
import java.util.TreeSet;

import org.apache.camel.CamelContext;

/**
 * Which outcomes of one pipeline a {@code sora:<pipeline>?event=...} consumer takes instead of the store or
 * dead-letter endpoint. The choice is made once, when the pipeline adds its routes: a consumer known by then
 * gets the outcomes through {@code direct:<pipeline>-out-<event>}, synchronously, so the job counts as stored
 * (or dead-lettered) only when the consumer's exchange completed. Bound as {@code <pipeline>Outlets}.
 */
public final class Outlets {

    public static final String STORED = "stored";
    public static final String DEAD = "dead";

    private final String pipeline;
    private final Set<String> claimed = new TreeSet<>();
    private Set<String> routed;
    private boolean storeConfigured;
    private boolean deadLetterConfigured;

    private Outlets(String pipeline) {
        this.pipeline = pipeline;
    }

    public static synchronized Outlets of(CamelContext ctx, String pipeline) {
        String bean = pipeline + "Outlets";
        Outlets o = ctx.getRegistry().lookupByNameAndType(bean, Outlets.class);
        if (o == null) {
            o = new Outlets(pipeline);
            ctx.getRegistry().bind(bean, o);
        }
        return o;
    }

    /** The internal endpoint the pipeline sends one kind of outcome to when a consumer takes it. */
    public static String endpoint(String pipeline, String event) {
        return "direct:" + pipeline + "-out-" + event;
    }

    /**
     * What the store or dead-letter route sends to: the same endpoint, but a stopped consumer route fails the send at
     * once instead of blocking a delivery thread for direct:'s 30 s. The job then waits in STORING and is stored
     * again later, as in a storage outage, while the download threads keep serving links that expire.
     */
    public static String sendTo(String pipeline, String event) {
        return endpoint(pipeline, event) + "?block=false";
    }

    /** Set at install: an endpoint written in the properties must not be silently replaced by a consumer. */
    synchronized void configured(boolean store, boolean deadLetter) {
        this.storeConfigured = store;
        this.deadLetterConfigured = deadLetter;
        refuseConfigured(claimed);
    }

    /**
     * A consumer of {@code event} (stored or dead) exists: the pipeline's routes will hand that outcome to it.
     *
     * @return the internal endpoint to consume from
     */
    public synchronized String claim(String event) {
        if (routed != null && !routed.contains(event)) {
            throw new IllegalStateException("pipeline '" + pipeline + "' already runs its routes, and its " + what(event)
                    + " go to " + (event.equals(STORED) ? "its store endpoint" : "its dead-letter endpoint")
                    + ": a sora:" + pipeline + "?event=" + event + " consumer must exist when the pipeline adds its "
                    + "routes (when the CamelContext has fully started). Add the consumer's route before starting "
                    + "the context, or restart it with that route");
        }
        refuseConfigured(Set.of(event));
        claimed.add(event);
        return endpoint(pipeline, event);
    }

    /** Called once when the routes are added: the outcomes a consumer takes from now on, fixed. */
    synchronized Set<String> seal() {
        if (routed == null) {
            refuseConfigured(claimed);
            routed = Set.copyOf(claimed);
        }
        return routed;
    }

    private void refuseConfigured(Set<String> events) {
        for (String event : events) {
            boolean configured = event.equals(STORED) ? storeConfigured : deadLetterConfigured;
            if (configured) {
                String key = (pipeline + (event.equals(STORED) ? ".store.endpoint" : ".dead-letter.endpoint"));
                throw new IllegalStateException("pipeline '" + pipeline + "' has both a sora:" + pipeline + "?event="
                        + event + " consumer and " + key + " set: its " + what(event) + " would go to one of them "
                        + "only. Remove " + key + " to have the consumer take them, or remove the consumer's route "
                        + "to keep the endpoint");
            }
        }
    }

    private static String what(String event) {
        return event.equals(STORED) ? "stored videos" : "dead letters";
    }
}
