package dev.soracamel.flow;

import dev.soracamel.config.ProviderSettings;
import dev.soracamel.config.SoraSettings;
import dev.soracamel.provider.ProviderAdapter;

/** One configured provider on this node: its settings, its adapter and the rules of its account. */
final class ProviderRuntime {

    final ProviderSettings settings;
    final ProviderAdapter adapter;
    final AccountRules rules;

    ProviderRuntime(ProviderSettings settings, ProviderAdapter adapter, SoraSettings sora) {
        this.settings = settings;
        this.adapter = adapter;
        this.rules = new AccountRules(settings, sora);
    }

    String account() {
        return settings.account();
    }
}
