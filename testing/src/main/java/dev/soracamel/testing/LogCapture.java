package dev.soracamel.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Every log line while attached (the message, then the exception if any), for tests that check what is logged. */
public final class LogCapture extends AbstractAppender {

    public final List<String> lines = new CopyOnWriteArrayList<>();
    /** The same events as the console appender prints them (its layout), for tests of what a reader of the log sees. */
    public final List<String> printed = new CopyOnWriteArrayList<>();

    public LogCapture(String name) {
        super(name, null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
        lines.add(event.getMessage().getFormattedMessage() + (event.getThrown() == null ? "" : " " + event.getThrown()));
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        org.apache.logging.log4j.core.Appender console = ctx.getConfiguration().getAppender("console");
        if (console != null && console.getLayout() instanceof org.apache.logging.log4j.core.StringLayout layout) {
            printed.add(layout.toSerializable(event));
        }
    }

    public void attach() {
        start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(this, null, null);
        ctx.updateLoggers();
    }

    public void detach() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(getName());
        ctx.updateLoggers();
    }
}
