package dev.soracamel.flow;

import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.TimeZone;

import org.quartz.CronExpression;

/**
 * Optional hours in which submits may start (say, only at night when credit is cheaper): open from each
 * fire of the open cron until the next fire of the close cron. Derived from the two Quartz cron
 * expressions at every question, so it needs no timer and a restart inside or outside the window
 * knows where it is. Status checks and downloads are never held back: a task already paid for runs on.
 */
public final class SubmitWindow {

    private final CronExpression open;
    private final CronExpression close;

    private SubmitWindow(CronExpression open, CronExpression close) {
        this.open = open;
        this.close = close;
    }

    /** A window from two cron expressions, or null (always open) when both are blank. */
    public static SubmitWindow of(String openCron, String closeCron, TimeZone zone) {
        boolean noOpen = openCron == null || openCron.isBlank();
        boolean noClose = closeCron == null || closeCron.isBlank();
        if (noOpen && noClose) {
            return null;
        }
        if (noOpen || noClose) {
            throw new IllegalStateException("a submit window needs both sora.submit.window.open-cron and close-cron");
        }
        return new SubmitWindow(cron(openCron, zone, "open"), cron(closeCron, zone, "close"));
    }

    private static CronExpression cron(String expression, TimeZone zone, String which) {
        try {
            CronExpression c = new CronExpression(expression.strip());
            c.setTimeZone(zone);
            return c;
        } catch (ParseException e) {
            throw new IllegalStateException("sora.submit.window." + which + "-cron '" + expression
                    + "' is not a Quartz cron expression: " + e.getMessage(), e);
        }
    }

    /** Inside the window when the next close comes before the next open. */
    public boolean isOpen(Instant now) {
        Date from = Date.from(now);
        Date nextOpen = open.getNextValidTimeAfter(from);
        Date nextClose = close.getNextValidTimeAfter(from);
        return nextClose != null && (nextOpen == null || nextClose.before(nextOpen));
    }

    public Instant nextOpen(Instant now) {
        Date d = open.getNextValidTimeAfter(Date.from(now));
        return d == null ? null : d.toInstant();
    }
}
