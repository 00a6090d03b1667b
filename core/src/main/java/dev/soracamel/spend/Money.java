package dev.soracamel.spend;

import java.math.BigDecimal;

/** Amounts as a person reads them: at least two decimals, never in exponent form. */
public final class Money {

    private Money() {
    }

    public static String format(BigDecimal amount) {
        if (amount == null) {
            return "?";
        }
        return (amount.scale() < 2 ? amount.setScale(2) : amount).toPlainString();
    }
}
