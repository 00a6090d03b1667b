package dev.soracamel.spend;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.soracamel.config.Props;

/**
 * The {@code sora.prices*} and {@code sora.budget.*} properties, documented in
 * {@code config/application.properties}.
 *
 * @param prices         price table locations, read in order
 * @param allowUnpriced  submit a job whose model has no price (without an estimate) instead of refusing it
 * @param daily          the most all of one day's submits may commit, or null for no limit
 * @param customerDaily  the most one customer's submits of one day may commit, or null for no limit
 * @param zone           where a budget day starts and ends
 * @param deadLetterOver a job over budget is dead-lettered (BUDGET_EXCEEDED) instead of waiting
 * @param pipeline       the pipeline's name, which prefixes its property keys (sora, or a host's own)
 */
public record SpendSettings(
        List<String> prices,
        boolean allowUnpriced,
        BigDecimal daily,
        BigDecimal customerDaily,
        ZoneId zone,
        boolean deadLetterOver,
        String pipeline) {

    /** The property as this pipeline spells it: what a person must edit ({@code orders.budget.daily}). */
    public String key(String key) {
        return pipeline.equals(Props.DEFAULT_PIPELINE) || !key.startsWith(Props.DEFAULT_PIPELINE + ".") ? key
                : pipeline + key.substring(Props.DEFAULT_PIPELINE.length());
    }

    public static SpendSettings read(Props p, String defaultZone) {
        List<String> prices = Arrays.stream(p.string("sora.prices").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        String unpriced = p.string("sora.prices.unpriced").toLowerCase(Locale.ROOT);
        if (!unpriced.equals("refuse") && !unpriced.equals("allow")) {
            throw new IllegalStateException(p.key("sora.prices.unpriced") + " must be refuse or allow, not '"
                    + unpriced + "'");
        }
        String over = p.string("sora.budget.over").toLowerCase(Locale.ROOT);
        if (!over.equals("wait") && !over.equals("dead-letter")) {
            throw new IllegalStateException(p.key("sora.budget.over") + " must be wait or dead-letter, not '"
                    + over + "'");
        }
        String zone = p.string("sora.budget.time-zone", defaultZone);
        ZoneId zoneId;
        try {
            zoneId = ZoneId.of(zone);
        } catch (RuntimeException e) {
            throw new IllegalStateException(p.key("sora.budget.time-zone") + " '" + zone
                    + "' is not a time zone (e.g. UTC, Europe/Moscow)");
        }
        return new SpendSettings(prices, unpriced.equals("allow"), amount(p, "sora.budget.daily"),
                amount(p, "sora.budget.customer-daily"), zoneId, over.equals("dead-letter"), p.pipeline());
    }

    private static BigDecimal amount(Props p, String key) {
        return p.find(key).map(v -> {
            try {
                BigDecimal a = new BigDecimal(v);
                if (a.signum() < 0) {
                    throw new NumberFormatException();
                }
                return a;
            } catch (NumberFormatException e) {
                throw new IllegalStateException(p.key(key) + " must be an amount of at least 0 in the price table's "
                        + "currency (e.g. 50 or 12.5), or blank for no budget; not '" + v + "'");
            }
        }).orElse(null);
    }

    public boolean hasBudget() {
        return daily != null || customerDaily != null;
    }
}
