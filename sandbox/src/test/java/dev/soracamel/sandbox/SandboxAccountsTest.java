package dev.soracamel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.soracamel.sandbox.SandboxTestClient.Reply;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Accounts by token on the Yes Ai API: two provider instances pointing at one sandbox must be limited apart,
 * and the server's totals must still see everything.
 */
class SandboxAccountsTest {

    private SandboxServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void accountsHaveTheirOwnRateWindowsLimitsAndTasks() throws Exception {
        // A slow clock, so back-to-back POSTs of one account would surely be inside its window.
        server = SandboxServer.start(new SandboxConfig().timeScale(0.5).activeTaskLimit(1));
        server.addAccount("second-token", 1);
        SandboxTestClient first = new SandboxTestClient(server, 0.5, "sandbox-token");
        SandboxTestClient second = new SandboxTestClient(server, 0.5, "second-token");
        String body = SandboxTestClient.json(SandboxTestClient.validBody("a quiet lake at dawn [sandbox:stuck]"));

        Reply a = first.postNow(body);
        Reply b = second.postNow(body);
        assertThat(a.httpStatus()).as(a.toString()).isEqualTo(200);
        assertThat(b.httpStatus()).as("another account's window: %s", b).isEqualTo(200);
        assertThat(server.stats().breaches()).isZero();

        // Each account's single slot is taken: the first account's next POST is refused, the second's count stays clean.
        first.sleepUntilProviderSeconds(System.nanoTime(), 1.2);
        assertThat(first.postNow(body).message()).isEqualTo("TASK_LIMIT_EXCEEDED");
        assertThat(server.stats("sandbox-token").taskLimitBreaches()).isEqualTo(1);
        assertThat(server.stats("second-token").taskLimitBreaches()).isZero();

        // A task is only visible to its own account.
        assertThat(second.statusNow(StatusHandler.PATH + "/" + a.id()).message()).isEqualTo("ID_NOT_FOUND");
        assertThat(first.statusNow(StatusHandler.PATH + "/" + a.id()).httpStatus()).isEqualTo(200);
    }

    @Test
    void totalsSumTheAccountsAndKeepUnknownTokens() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(0.01).activeTaskLimit(5));
        server.addAccount("second-token", 5);
        SandboxTestClient first = new SandboxTestClient(server, 0.01, "sandbox-token");
        SandboxTestClient second = new SandboxTestClient(server, 0.01, "second-token");
        SandboxTestClient stranger = new SandboxTestClient(server, 0.01, "nobody");
        first.submit("first account one [sandbox:stuck]");
        first.submit("first account two [sandbox:stuck]");
        second.submit("second account one [sandbox:stuck]");
        assertThat(stranger.submit("no account at all").httpStatus()).isEqualTo(401);

        SandboxStats total = server.stats();
        assertThat(server.stats("sandbox-token").tasksCreated()).isEqualTo(2);
        assertThat(server.stats("second-token").tasksCreated()).isEqualTo(1);
        assertThat(total.tasksCreated()).isEqualTo(3);
        assertThat(total.posts()).isEqualTo(4);
        assertThat(server.stats("sandbox-token").posts() + server.stats("second-token").posts()).isEqualTo(3);
        // The peak of the busiest account, not the sum of peaks.
        assertThat(total.maxActiveObserved()).isEqualTo(2);
        assertThat(total.tasksCreatedByPrompt()).hasSize(3);
        assertThat(total.tasks()).extracting(TaskRecord::id).containsExactly(100_001L, 100_002L, 100_003L);
        assertThat(server.stats("second-token").tasks()).hasSize(1);

        HttpResponse<String> r = first.http.send(
                HttpRequest.newBuilder(URI.create(server.baseUrl() + "/sandbox/stats")).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode json = SandboxTestClient.JSON.readTree(r.body());
        assertThat(json.path("tasksCreated").asLong()).isEqualTo(3);
        assertThat(json.path("accounts").path("second-token").path("tasksCreated").asLong()).isEqualTo(1);
    }

    @Test
    void tokensStayUnique() throws Exception {
        server = SandboxServer.start(new SandboxConfig().timeScale(0.01)
                .account("from-config", 2, Dialect.GATEWAY));
        assertThat(server.stats("from-config").posts()).isZero();
        assertThatThrownBy(() -> server.addAccount("from-config", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.setToken("from-config")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.stats("unknown")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxServer.start(new SandboxConfig().account("sandbox-token", 1, Dialect.OPENAI)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCommandLineAddsAccounts() {
        SandboxConfig parsed = SandboxMain.parse(new String[] {
            "--dialect", "gateway", "--account", "t1:2", "--account", "t2:vip:gateway"});
        assertThat(parsed.getDialect()).isEqualTo(Dialect.GATEWAY);
        assertThat(parsed.getAccounts()).containsExactly(
                new SandboxConfig.Account("t1", 2, Dialect.OPENAI), new SandboxConfig.Account("t2", 10, Dialect.GATEWAY));
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--account", "t1"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--account", "t1:2:grpc"}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SandboxMain.parse(new String[] {"--account", "sandbox-token:2"}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
