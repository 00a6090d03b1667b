package dev.soracamel.spend;

import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.soracamel.config.Props;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.job.Charge;
import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import dev.soracamel.provider.ProviderAdapter;
import dev.soracamel.validate.Rejection;
import org.apache.camel.CamelContext;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spend control: prices each job from the price table, records what every submit committed on the job
 * itself (so the job store is the ledger's truth across restarts), and decides before each submit whether
 * the budgets leave room for it. Every method is called under the {@code JobBoard}'s lock.
 */
public final class Spend {

    private static final Logger LOG = LoggerFactory.getLogger("sora.spend");
    /** The budget bucket of jobs without a customer id (OpenAI-compatible requests may have none). */
    static final String NO_CUSTOMER = "_no-customer";

    /** What the budgets say about submitting a job now. */
    public enum Verdict {
        /** Submit it. */
        GO,
        /** Over a budget: it stays queued and takes no slot; others that fit may go. */
        WAIT,
        /** Over a budget, with {@code sora.budget.over=dead-letter}: dead-letter it as BUDGET_EXCEEDED. */
        BUDGET_EXCEEDED,
        /** No price, with {@code sora.prices.unpriced=refuse}: dead-letter it as PRICE_NOT_FOUND. */
        PRICE_NOT_FOUND
    }

    /** How a job is over a budget: which one, and whether only submits still on the wire make it so. */
    private record Over(String scope, BigDecimal limit, String property, BigDecimal committed, boolean certain) {
    }

    /** A provider as pricing sees it. */
    private record Priced(String type, ProviderAdapter adapter) {
    }

    private final SpendSettings settings;
    private final PriceTable table;
    private final Map<String, Priced> providers;
    private final SpendLedger ledger;
    private final boolean enabled;

    private LocalDate today;
    private final Set<String> announced = new HashSet<>();
    private final Set<String> warned = new HashSet<>();

    Spend(SpendSettings settings, PriceTable table, Map<String, String> types, Map<String, ProviderAdapter> adapters,
          boolean enabled) {
        this.settings = settings;
        this.table = table;
        this.providers = new LinkedHashMap<>();
        adapters.forEach((name, a) -> providers.put(name, new Priced(types.get(name), a)));
        this.ledger = new SpendLedger(settings.zone());
        this.enabled = enabled;
    }

    /** Spend control as configured: the price table from {@code sora.prices}, the budgets from {@code sora.budget.*}. */
    public static Spend create(CamelContext ctx, Props props, SoraSettings sora, Map<String, ProviderAdapter> adapters)
            throws Exception {
        SpendSettings s = SpendSettings.read(props, sora.timeZone());
        List<InputStream> in = new ArrayList<>();
        try {
            for (String location : s.prices()) {
                in.add(ResourceHelper.resolveMandatoryResourceAsInputStream(ctx, location));
            }
            Map<String, String> types = new LinkedHashMap<>();
            sora.providers().forEach((name, p) -> types.put(name, p.type()));
            Spend spend = of(s, PriceTable.read(in, s.prices()), types, adapters);
            spend.announceStart();
            return spend;
        } finally {
            for (InputStream i : in) {
                i.close();
            }
        }
    }

    /** Spend control over a table already read: provider instance name -> its type, and its adapter. */
    public static Spend of(SpendSettings settings, PriceTable table, Map<String, String> types,
                           Map<String, ProviderAdapter> adapters) {
        return new Spend(settings, table, types, adapters, true);
    }

    /** No prices and no budgets: for a board built without spend control (unit tests of other concerns). */
    public static Spend off(java.time.ZoneId zone) {
        PriceTable none = new PriceTable();
        none.currency = "";
        return new Spend(new SpendSettings(List.of(), true, null, null, zone, false,
                Props.DEFAULT_PIPELINE), none, Map.of(), Map.of(), false);
    }

    public SpendSettings settings() {
        return settings;
    }

    public String currency() {
        return table.currency;
    }

    private void announceStart() {
        LOG.info("spend{}: prices in {} from {}; budget per day {}, per customer per day {}, days in {}; "
                        + "over budget: {}; a model without a price: {}",
                settings.pipeline().equals(Props.DEFAULT_PIPELINE) ? "" : " (pipeline " + settings.pipeline() + ")",
                table.currency, settings.prices(), limit(settings.daily()), limit(settings.customerDaily()),
                settings.zone(), settings.deadLetterOver() ? "dead-letter (BUDGET_EXCEEDED)" : "wait",
                settings.allowUnpriced() ? "allowed, without an estimate" : "refused (PRICE_NOT_FOUND)");
        providers.forEach((name, p) -> {
            Set<String> missing = new LinkedHashSet<>();
            for (Billable b : p.adapter().billables()) {
                if (table.quote(name, p.type(), b) == null) {
                    missing.add(b.model() + " " + b.variant());
                }
            }
            if (!missing.isEmpty()) {
                LOG.warn("spend: provider {} offers {} without a price in {}: {}", name, missing, settings.prices(),
                        settings.allowUnpriced()
                                ? "such jobs are SUBMITTED WITHOUT AN ESTIMATE and no budget sees them ("
                                        + settings.key("sora.prices.unpriced") + "=allow)"
                                : "such requests are refused as PRICE_NOT_FOUND (add their price, README: Spend)");
            }
        });
    }

    private String limit(BigDecimal limit) {
        return limit == null ? "none" : money(limit);
    }

    private String money(BigDecimal amount) {
        return Money.format(amount) + " " + table.currency;
    }

    // ---------------------------------------------------------------- pricing

    /** The price of one task of this request at this provider, or null when the table has none. */
    public PriceTable.Quote quote(String provider, ObjectNode request) {
        Priced p = providers.get(provider);
        if (!enabled || p == null) {
            return null;
        }
        Billable b;
        try {
            b = p.adapter().billable(request);
        } catch (RuntimeException e) {
            return null; // a request the catalog no longer describes (changed at a restart): no price either
        }
        return table.quote(provider, p.type(), b);
    }

    /** Prices the job as the table stands now (at intake, and again at a restart for the jobs still queued). */
    public void price(Job job) {
        if (!enabled) {
            return;
        }
        PriceTable.Quote q = quote(job.provider, job.request);
        job.taskPrice = q == null ? null : q.amount();
        job.currency = table.currency;
    }

    /** At intake: the dead-letter reason of a request no price covers, when such requests are refused. */
    public Rejection refuseUnpriced(String provider, ObjectNode request) {
        if (!enabled || settings.allowUnpriced() || quote(provider, request) != null) {
            return null;
        }
        return new Rejection("PRICE_NOT_FOUND", unpricedMessage(provider, request));
    }

    /** The sentence of a PRICE_NOT_FOUND dead letter. */
    public String unpricedMessage(String provider, ObjectNode request) {
        Priced p = providers.get(provider);
        String what;
        try {
            Billable b = p.adapter().billable(request);
            what = "model " + b.model() + " at " + b.variant();
        } catch (RuntimeException e) {
            what = "this request";
        }
        String type = p == null ? "<type>" : p.type();
        return what + " has no price in the price table " + settings.prices() + " for provider " + provider
                + " (type " + type + "), so its cost cannot be estimated or checked against a budget; it was not "
                + "submitted. Add its price under models." + type + " (or providers." + provider + ") and send it "
                + "again, or set " + settings.key("sora.prices.unpriced") + "=allow";
    }

    // ---------------------------------------------------------------- budgets

    /** What the budgets say about submitting this job now (before its slot is taken). */
    public Verdict check(Job job, Instant now) {
        if (!enabled) {
            return Verdict.GO;
        }
        rollDay(now);
        if (job.taskPrice == null) {
            if (!settings.allowUnpriced()) {
                return Verdict.PRICE_NOT_FOUND;
            }
            if (warned.add("unpriced " + job.provider + " " + job.model)) {
                LOG.warn("spend: job {} [{}] model {} has NO PRICE: submitted without a cost estimate, and no budget "
                        + "counts it ({}=allow); add its price to {}", job.requestId, Props.who(settings.pipeline(), job.provider), job.model,
                        settings.key("sora.prices.unpriced"), settings.prices());
            }
            return Verdict.GO;
        }
        Over over = settings.hasBudget() ? over(job, now) : null;
        if (over == null) {
            return Verdict.GO;
        }
        if (!over.certain()) {
            return Verdict.WAIT; // only a submit on the wire makes it so: its answer decides
        }
        announce(job, over, now);
        return settings.deadLetterOver() ? Verdict.BUDGET_EXCEEDED : Verdict.WAIT;
    }

    /** Whether the job would wait for a budget now (for the progress line; says nothing in the log). */
    public boolean holds(Job job, Instant now) {
        return enabled && settings.hasBudget() && job.taskPrice != null && over(job, now) != null;
    }

    /**
     * The budget the job does not fit, or null. Over for certain when the confirmed charges alone leave no
     * room; otherwise only a submit still on the wire does, and its answer may yet free the room.
     */
    private Over over(Job job, Instant now) {
        SpendLedger.Committed all = ledger.all(now);
        SpendLedger.Committed mine = ledger.customer(customer(job), now);
        String daily = "the daily budget";
        String customer = "customer '" + customer(job) + "''s daily budget";
        for (boolean certain : new boolean[] {true, false}) {
            Over o = over(job.taskPrice, settings.daily(), daily, "sora.budget.daily", all, certain);
            if (o == null) {
                o = over(job.taskPrice, settings.customerDaily(), customer, "sora.budget.customer-daily", mine, certain);
            }
            if (o != null) {
                return o;
            }
        }
        return null;
    }

    private Over over(BigDecimal cost, BigDecimal limit, String scope, String key, SpendLedger.Committed c,
                      boolean certain) {
        BigDecimal committed = certain ? c.confirmed() : c.total();
        if (limit == null || committed.add(cost).compareTo(limit) <= 0) {
            return null;
        }
        return new Over(scope, limit, settings.key(key), committed, certain);
    }

    /** Said once per budget and day, when it starts stopping jobs. */
    private void announce(Job job, Over over, Instant now) {
        boolean dead = settings.deadLetterOver();
        if (announced.add(over.scope())) {
            LOG.warn("BUDGET {}: {} of {} ({}) is used up for {} ({}): {} committed; job {} ({}) and every other job "
                            + "that does not fit {} until the budget day turns at {}{}. Jobs that fit still go.",
                    dead ? "REACHED" : "HOLDING", over.scope(), money(over.limit()), over.property(), ledger.day(now),
                    ledger.zone(), money(over.committed()), job.requestId, money(job.taskPrice),
                    dead ? "are dead-lettered as BUDGET_EXCEEDED (" + settings.key("sora.budget.over") + "=dead-letter)"
                            : "wait in the queue, taking no slot,",
                    ledger.dayEnds(now).atZone(ledger.zone()),
                    dead ? "" : " or the budget is raised and the pipeline restarted");
        }
        boolean never = job.taskPrice.compareTo(over.limit()) > 0;
        if (!dead && never && warned.add("never " + job.requestId)) {
            LOG.warn("BUDGET: job {} alone costs {}, more than {} of {} ({}): it cannot go under this budget on any "
                            + "day; raise {} and restart, or remove the job", job.requestId, money(job.taskPrice),
                    over.scope(), money(over.limit()), over.property(), over.property());
        }
    }

    /** The sentence of a BUDGET_EXCEEDED dead letter: what did not fit, and what a person can do. */
    public String overBudgetMessage(Job job, Instant now) {
        Over over = over(job, now);
        if (over == null) {
            return "the job did not fit a budget";
        }
        String never = job.taskPrice.compareTo(over.limit()) > 0
                ? " This job alone costs more than that budget, so it cannot go on any day under it." : "";
        return "its estimated cost of " + money(job.taskPrice) + " (" + describe(job) + ") does not fit "
                + over.scope() + " of " + money(over.limit()) + " (" + over.property() + "): "
                + money(over.committed()) + " was already committed on " + ledger.day(now) + " (" + ledger.zone()
                + "). It was not submitted (" + settings.key("sora.budget.over") + "=dead-letter)." + never
                + " Send it again with a new request_id after the budget day turns at "
                + ledger.dayEnds(now).atZone(ledger.zone()) + ", or raise " + over.property() + " and restart";
    }

    private String describe(Job job) {
        Priced p = providers.get(job.provider);
        try {
            return p.adapter().billable(job.request).toString();
        } catch (RuntimeException e) {
            return job.model;
        }
    }

    /** When a new budget day starts: yesterday's holds are over, which is worth a line when some were held. */
    private void rollDay(Instant now) {
        LocalDate day = ledger.day(now);
        if (!day.equals(today)) {
            if (today != null && !announced.isEmpty()) {
                LOG.warn("BUDGET: a new budget day began ({}, {}): jobs held by {} may go again", day, ledger.zone(),
                        announced);
            }
            today = day;
            announced.clear();
            ledger.forgetBefore(now);
        }
    }

    // ---------------------------------------------------------------- charges

    /** The job's POST is about to leave: its estimate counts against today's budgets from now on. */
    public void submitting(Job job, Instant now) {
        if (!enabled) {
            return;
        }
        job.pendingCharge = new Charge(now, job.taskPrice, null, null);
        ledger.add(customer(job), now, job.taskPrice, true);
    }

    /** The submit created a task: its charge is committed. */
    public void taskCreated(Job job, String taskId) {
        settle(job, job.pendingCharge == null ? null : job.pendingCharge.created(taskId));
    }

    /** The submit may have created a task (its answer never came, or a step failed after it): counted as spent. */
    public void maybeCreated(Job job) {
        settle(job, job.pendingCharge == null ? null : job.pendingCharge.maybeCreated());
    }

    /**
     * The task of a submit whose answer was lost was found at the provider: the charge counted as spent when
     * the answer was lost ({@link #maybeCreated}) is that task's. The amount was committed already.
     */
    public void adopted(Job job, String taskId) {
        for (int i = job.charges.size() - 1; i >= 0; i--) {
            Charge c = job.charges.get(i);
            if (Boolean.TRUE.equals(c.uncertain())) {
                job.charges.set(i, c.created(taskId));
                return;
            }
        }
    }

        /** The provider refused the submit: no task, nothing spent. */
    public void noTask(Job job) {
        Charge c = job.pendingCharge;
        if (c != null) {
            ledger.remove(customer(job), c.at(), c.amount(), true);
            job.pendingCharge = null;
        }
    }

    private void settle(Job job, Charge charge) {
        if (charge == null) {
            return;
        }
        ledger.confirm(customer(job), charge.at(), charge.amount());
        job.pendingCharge = null;
        job.charges.add(charge);
        if (charge.amount() != null) {
            job.estimatedCost = job.estimatedCost == null ? charge.amount() : job.estimatedCost.add(charge.amount());
        }
    }

    /**
     * Derives what each day committed from the job records, after a restart: the charges of created tasks,
     * and submits on the wire. Records written before prices existed count their created tasks at today's
     * price on the day they were submitted. Queued jobs are priced again, as the table now stands.
     */
    public void rebuild(Collection<Job> jobs, Instant now) {
        if (!enabled) {
            return;
        }
        ledger.clear();
        today = null;
        for (Job job : jobs) {
            for (Charge c : job.charges) {
                ledger.add(customer(job), c.at(), c.amount(), false);
            }
            if (job.pendingCharge != null && job.state == JobState.SUBMITTING) {
                ledger.add(customer(job), job.pendingCharge.at(), job.pendingCharge.amount(), true);
            }
            if (job.charges.isEmpty() && job.tasksCreated > 0 && job.submittedAt != null) {
                PriceTable.Quote q = quote(job.provider, job.request);
                if (q != null) {
                    ledger.add(customer(job), job.submittedAt,
                            q.amount().multiply(BigDecimal.valueOf(job.tasksCreated)), false);
                }
            }
            if (job.state == JobState.QUEUED) {
                price(job);
            }
        }
        rollDay(now);
    }

    /** Whether the job committed spend on this or the previous budget day (retention must not forget it yet). */
    public boolean chargedRecently(Job job, Instant now) {
        LocalDate day = ledger.day(now);
        return job.charges.stream().anyMatch(c -> !ledger.day(c.at()).isBefore(day.minusDays(1)));
    }

    // ---------------------------------------------------------------- progress

    /** For the progress line: today's committed spend (of the daily budget, if any) and the jobs held. */
    public Map<String, Object> progress(Collection<Job> queued, Instant now) {
        Map<String, Object> c = new LinkedHashMap<>();
        if (!enabled) {
            return c;
        }
        String spent = Money.format(ledger.all(now).total());
        c.put("spent-today", (settings.daily() == null ? spent : spent + "/" + Money.format(settings.daily()))
                + table.currency);
        if (settings.hasBudget()) {
            c.put("held-by-budget", queued.stream().filter(j -> holds(j, now)).count());
        }
        return c;
    }

    /**
     * Today's committed spend against each budget, for the operator page: the whole day's, and the customers'
     * with the most committed first, at most {@code maxCustomers} of them. Amounts are the progress line's.
     */
    public Map<String, Object> today(Instant now, int maxCustomers) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("enabled", enabled);
        if (!enabled) {
            return t;
        }
        t.put("currency", table.currency);
        t.put("day", ledger.day(now).toString());
        t.put("time_zone", ledger.zone().getId());
        t.put("ends_at", ledger.dayEnds(now));
        SpendLedger.Committed all = ledger.all(now);
        t.put("committed", Money.format(all.total()));
        t.put("pending", Money.format(all.pending()));
        t.put("daily_budget", settings.daily() == null ? null : Money.format(settings.daily()));
        t.put("customer_daily_budget", settings.customerDaily() == null ? null : Money.format(settings.customerDaily()));
        Map<String, SpendLedger.Committed> byCustomer = ledger.customers(now);
        List<Map<String, Object>> customers = new ArrayList<>();
        byCustomer.entrySet().stream()
                .sorted(Map.Entry.<String, SpendLedger.Committed>comparingByValue(
                        java.util.Comparator.comparing(SpendLedger.Committed::total)).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(maxCustomers)
                .forEach(e -> {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("customer_id", e.getKey());
                    c.put("committed", Money.format(e.getValue().total()));
                    c.put("pending", Money.format(e.getValue().pending()));
                    customers.add(c);
                });
        t.put("customers", customers);
        t.put("customers_total", byCustomer.size());
        return t;
    }

    /** Today's committed spend, all customers (tests and the progress line). */
    public BigDecimal committedToday(Instant now) {
        return ledger.all(now).total();
    }

    /** Today's committed spend of one customer. */
    public BigDecimal committedToday(String customerId, Instant now) {
        return ledger.customer(customerId == null ? NO_CUSTOMER : customerId, now).total();
    }

    private static String customer(Job job) {
        return job.customerId == null ? NO_CUSTOMER : job.customerId;
    }
}
