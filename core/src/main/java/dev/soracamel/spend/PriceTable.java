package dev.soracamel.spend;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * What a task costs, per provider type and model, by resolution or size and second of video, read from
 * YAML ({@code config/prices.yaml}) so that a model's price is a configuration change. One provider
 * instance may charge differently (a gateway's own price): its entry for a model replaces the type's.
 * Several files are read in order, a later file's entry for a model replacing an earlier one's.
 */
public final class PriceTable {

    /** A price: a fixed part per task and a part per second of video. Either may be absent (zero). */
    public static final class Price {
        @JsonProperty("per-second")
        public BigDecimal perSecond;
        @JsonProperty("per-video")
        public BigDecimal perVideo;

        boolean isSet() {
            return perSecond != null || perVideo != null;
        }

        BigDecimal cost(int seconds) {
            BigDecimal fixed = perVideo == null ? BigDecimal.ZERO : perVideo;
            return perSecond == null ? fixed : fixed.add(perSecond.multiply(BigDecimal.valueOf(seconds)));
        }
    }

    /** A model's prices: per size (resolution), and a price for any size not listed. */
    public static final class ModelPrice {
        @JsonProperty("per-second")
        public BigDecimal perSecond;
        @JsonProperty("per-video")
        public BigDecimal perVideo;
        /** The /v1/videos size ("1280x720") or the Yes Ai resolution ("720") -> its price. */
        @JsonAlias("resolutions")
        public Map<String, Price> sizes = new LinkedHashMap<>();

        Price forVariant(String variant) {
            Price p = sizes.get(variant);
            if (p != null) {
                return p;
            }
            Price any = new Price();
            any.perSecond = perSecond;
            any.perVideo = perVideo;
            return any.isSet() ? any : null;
        }
    }

    /** A price found, and where it came from (said in the log and in a refusal). */
    public record Quote(BigDecimal amount, String entry) {
    }

    public String currency;
    /** provider type (yesai, openai-compatible) -> model -> price */
    public Map<String, Map<String, ModelPrice>> models = new LinkedHashMap<>();
    /** provider instance name -> model -> price, replacing the type's entry for that instance */
    public Map<String, Map<String, ModelPrice>> providers = new LinkedHashMap<>();

    /**
     * The cost of one task, or null when the table has no price for it: first the instance's own entry for
     * the model, else the type's; within it the size's price, else the model's price for any size.
     */
    public Quote quote(String provider, String type, Billable b) {
        ModelPrice m = providers.getOrDefault(provider, Map.of()).get(b.model());
        String where = "providers." + provider + "." + b.model();
        if (m == null) {
            m = models.getOrDefault(type, Map.of()).get(b.model());
            where = "models." + type + "." + b.model();
        }
        Price p = m == null ? null : m.forVariant(b.variant());
        if (p == null) {
            return null;
        }
        return new Quote(p.cost(b.seconds()), where + (m.sizes.containsKey(b.variant()) ? "." + b.variant() : ""));
    }

    /** Reads the files in order; a later file's entry for a model replaces an earlier one's. */
    public static PriceTable read(List<InputStream> yamls, List<String> names) throws IOException {
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                // a misspelt key in a price table must stop the start, not price a model at zero
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        PriceTable all = new PriceTable();
        for (int i = 0; i < yamls.size(); i++) {
            PriceTable t = yaml.readValue(yamls.get(i), PriceTable.class);
            if (t == null) {
                continue; // an empty file
            }
            t.check(names.get(i));
            if (t.currency != null) {
                if (all.currency != null && !all.currency.equals(t.currency)) {
                    throw new IOException("price table " + names.get(i) + " is in " + t.currency + " but an earlier "
                            + "one is in " + all.currency + ": every price, and the budgets, are in one currency");
                }
                all.currency = t.currency;
            }
            merge(all.models, t.models);
            merge(all.providers, t.providers);
        }
        if (all.currency == null || all.currency.isBlank()) {
            throw new IOException("the price table " + names + " names no currency (currency: USD)");
        }
        return all;
    }

    private static void merge(Map<String, Map<String, ModelPrice>> into, Map<String, Map<String, ModelPrice>> from) {
        from.forEach((owner, prices) -> into.computeIfAbsent(owner, k -> new LinkedHashMap<>()).putAll(prices));
    }

    private void check(String name) throws IOException {
        for (var section : List.of(models, providers)) {
            for (var owner : section.entrySet()) {
                for (var m : owner.getValue().entrySet()) {
                    String at = name + ": " + owner.getKey() + "." + m.getKey();
                    ModelPrice mp = m.getValue();
                    if (mp == null) {
                        throw new IOException(at + " has no price");
                    }
                    checkAmounts(at, mp.perSecond, mp.perVideo);
                    if (mp.sizes.isEmpty() && mp.perSecond == null && mp.perVideo == null) {
                        throw new IOException(at + " gives neither per-second nor per-video nor sizes");
                    }
                    for (var s : mp.sizes.entrySet()) {
                        Price p = s.getValue();
                        if (p == null || !p.isSet()) {
                            throw new IOException(at + "." + s.getKey() + " gives neither per-second nor per-video");
                        }
                        checkAmounts(at + "." + s.getKey(), p.perSecond, p.perVideo);
                    }
                }
            }
        }
    }

    private static void checkAmounts(String at, BigDecimal... amounts) throws IOException {
        for (BigDecimal a : amounts) {
            if (a != null && a.signum() < 0) {
                throw new IOException(at + " has a negative price " + a);
            }
        }
    }
}
