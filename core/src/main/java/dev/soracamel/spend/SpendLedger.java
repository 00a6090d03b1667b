package dev.soracamel.spend;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * What each budget day's submits committed, in total and per customer. Charges of created tasks are
 * confirmed; the charge of a submit on the wire is pending until its answer says whether a task exists.
 * Pure arithmetic on instants and the zone, so day boundaries are tested without a clock; the truth it
 * is rebuilt from after a restart is the job store ({@link Spend#rebuild}).
 */
public final class SpendLedger {

    /** Committed amounts of one scope (all customers, or one customer) on one day. */
    public record Committed(BigDecimal confirmed, BigDecimal pending) {
        static final Committed NONE = new Committed(BigDecimal.ZERO, BigDecimal.ZERO);

        public BigDecimal total() {
            return confirmed.add(pending);
        }

        Committed plus(BigDecimal amount, boolean isPending) {
            return isPending ? new Committed(confirmed, pending.add(amount))
                    : new Committed(confirmed.add(amount), pending);
        }
    }

    private static final class Day {
        Committed all = Committed.NONE;
        final Map<String, Committed> customers = new HashMap<>();
    }

    private final ZoneId zone;
    private final TreeMap<LocalDate, Day> days = new TreeMap<>();

    public SpendLedger(ZoneId zone) {
        this.zone = zone;
    }

    public ZoneId zone() {
        return zone;
    }

    public LocalDate day(Instant at) {
        return LocalDate.ofInstant(at, zone);
    }

    /** When the budget day of {@code at} ends. */
    public Instant dayEnds(Instant at) {
        return day(at).plusDays(1).atStartOfDay(zone).toInstant();
    }

    /** @param amount null for a job without a price ({@code sora.prices.unpriced=allow}): no budget counts it */
    public void add(String customer, Instant at, BigDecimal amount, boolean pending) {
        change(customer, at, amount, pending);
    }

    public void remove(String customer, Instant at, BigDecimal amount, boolean pending) {
        change(customer, at, amount == null ? null : amount.negate(), pending);
    }

    /** A pending charge whose task turned out to exist (or may exist). */
    public void confirm(String customer, Instant at, BigDecimal amount) {
        remove(customer, at, amount, true);
        add(customer, at, amount, false);
    }

    private void change(String customer, Instant at, BigDecimal amount, boolean pending) {
        if (amount == null) {
            return;
        }
        Day d = days.computeIfAbsent(day(at), k -> new Day());
        d.all = d.all.plus(amount, pending);
        d.customers.merge(customer, Committed.NONE.plus(amount, pending),
                (a, b) -> new Committed(a.confirmed().add(b.confirmed()), a.pending().add(b.pending())));
    }

    /** All submits of the day of {@code at}. */
    public Committed all(Instant at) {
        Day d = days.get(day(at));
        return d == null ? Committed.NONE : d.all;
    }

    /** One customer's submits of the day of {@code at}. */
    public Committed customer(String customer, Instant at) {
        Day d = days.get(day(at));
        return d == null ? Committed.NONE : d.customers.getOrDefault(customer, Committed.NONE);
    }

    /** Every customer's submits of the day of {@code at} (a copy). */
    public Map<String, Committed> customers(Instant at) {
        Day d = days.get(day(at));
        return d == null ? Map.of() : Map.copyOf(d.customers);
    }

    /** Forgets days before yesterday: no budget looks at them again. */
    public void forgetBefore(Instant now) {
        days.headMap(day(now).minusDays(1)).clear();
    }

    public void clear() {
        days.clear();
    }
}
