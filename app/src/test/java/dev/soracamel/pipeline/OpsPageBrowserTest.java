package dev.soracamel.pipeline;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;

import dev.soracamel.job.Job;
import dev.soracamel.job.JobState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The operator page in a real browser: headless Chromium through ChromeDriver, both the machine's own
 * (Debian's chromium and chromium-driver), against the pipeline on the sandbox with the HTTP server on
 * 127.0.0.1. Selenium Manager is never asked for anything: the driver and the browser are given by path, and
 * no network exists beyond loopback. Screenshots go to target/ops-page/.
 * <p>
 * Without Chromium the test is skipped with a message, except on CI (CI=true), where it fails.
 */
class OpsPageBrowserTest extends PipelineTestSupport {

    static final Path CHROMIUM = Path.of(System.getProperty("sora.test.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("sora.test.chromedriver", "/usr/bin/chromedriver"));
    static final Path SHOTS = Path.of("target", "ops-page");

    int port;
    ChromeDriver browser;
    ChromeDriverService service;
    Path profile;

    @Override
    protected double timeScale() {
        // a task takes 3.5 s of real time: long enough for the page to see the slots taken
        return 0.05;
    }

    @Override
    protected void configure(Properties p) {
        port = serveHttp(p);
        p.put("sora.ops.refresh", "500ms");
    }

    @BeforeEach
    void openBrowser() throws IOException {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            String why = "the operator page's browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + " (apt-get install -y chromium chromium-driver)";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + "; on CI (CI=true) their absence is a failure, not a skip");
            }
            Assumptions.abort(why + "; skipped outside CI");
        }
        Files.createDirectories(SHOTS);
        profile = Files.createTempDirectory("ops-page-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required", "--window-size=1400,2200",
                "--user-data-dir=" + profile);
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(SHOTS.resolve("chromedriver.log").toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    String page() {
        return "http://127.0.0.1:" + port + "/ops/";
    }

    void shot(String name) throws IOException {
        Files.write(SHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    /** Waits for a condition on the page; the page re-renders itself, so an element may go stale meanwhile. */
    <T> T until(Supplier<T> probe, Duration timeout, String what) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                T v = probe.get();
                if (v != null && !Boolean.FALSE.equals(v)) {
                    return v;
                }
            } catch (StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
                // the next look finds the new element
            }
            if (System.nanoTime() > end) {
                try {
                    shot("timeout");
                } catch (IOException ignored) {
                    // the failure below says what matters
                }
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; status: "
                        + browser.findElement(By.id("status")).getText());
            }
            Thread.sleep(100);
        }
    }

    String text(String css) {
        List<WebElement> found = browser.findElements(By.cssSelector(css));
        return found.isEmpty() ? null : found.get(0).getText();
    }

    @Test
    void the_page_shows_the_slots_fill_plays_a_stored_video_and_shows_dead_letters_in_two_languages() throws Exception {
        browser.get(page());
        until(() -> text("tr[data-provider='yesai'] .limit"), Duration.ofSeconds(20), "the account's row");
        assertThat(text("tr[data-provider='yesai'] .limit")).isEqualTo("3");

        for (int i = 1; i <= 7; i++) {
            drop("page-" + i + ".json", v2("A quiet harbour at dawn, take " + i, "cust-" + (i % 2)));
        }
        drop("refused.json", v2("A scene the provider refuses [sandbox:reject]", "cust-r"));
        // prompts are text from outside: markup in one must show as text and run nothing
        drop("markup.json", v2("A <b>bold</b> cat <img src=x onerror=window.__xss=1>", "cust-x"));

        String active = until(() -> {
            String a = text("tr[data-provider='yesai'] .active");
            return a != null && Integer.parseInt(a) > 0 ? a : null;
        }, Duration.ofSeconds(30), "active tasks > 0 on the yesai account");
        assertThat(Integer.parseInt(active)).isBetween(1, 3);
        shot("slots-filling");

        awaitSettled(9, Duration.ofSeconds(120));
        until(() -> "0".equals(text("tr[data-provider='yesai'] .active")) ? true : null, Duration.ofSeconds(10),
                "the slots freed");
        // the page refreshes on its own clock, so its line may still show the last job storing for a moment
        String progress = until(() -> {
            String line = text("#progress-line");
            return line != null && line.contains("stored=8") && line.contains("storing=0") ? line : null;
        }, Duration.ofSeconds(10), "the progress line to show every job stored");
        assertThat(progress).contains("stored=8", "dead=1", "queued=0", "active=0");

        // a stored video plays: its currentTime moves
        WebElement play = until(() -> browser.findElements(By.cssSelector("#jobs tr[data-job='page-3'] button.play"))
                .stream().findFirst().orElse(null), Duration.ofSeconds(10), "a play button for page-3");
        play.click();
        double t = until(() -> {
            Number now = (Number) js("return document.getElementById('player').currentTime;");
            return now != null && now.doubleValue() > 0.5 ? now.doubleValue() : null;
        }, Duration.ofSeconds(20), "the video's currentTime to pass 0.5 s (error: "
                + js("var e = document.getElementById('player').error; return e ? e.code + ' ' + e.message : 'none';") + ")");
        assertThat(t).isGreaterThan(0.5);
        assertThat(((Number) js("return document.getElementById('player').duration;")).doubleValue()).isGreaterThan(1.0);
        shot("video-playing");

        // the dead letter, with the provider's comments in both languages as the job records them
        Job dead = board().queries().find("refused").orElseThrow();
        assertThat(dead.state).isEqualTo(JobState.DEAD);
        until(() -> text("#dead tr[data-job='refused'] .reason-ru"), Duration.ofSeconds(10), "the dead letter row");
        assertThat(text("#dead tr[data-job='refused'] .code")).startsWith("TASK_REJECTED");
        assertThat(text("#dead tr[data-job='refused'] .reason-ru")).isEqualTo(dead.deadLetter.commentRu().strip());
        assertThat(text("#dead tr[data-job='refused'] .reason-en")).contains(dead.deadLetter.commentEn().strip());

        String prompt = text("#jobs tr[data-job='markup'] .prompt");
        assertThat(prompt).isEqualTo("A <b>bold</b> cat <img src=x onerror=window.__xss=1>");
        assertThat(js("return window.__xss === undefined && document.querySelectorAll('#jobs img, #jobs b').length === 0;"))
                .isEqualTo(true);
        js("window.scrollTo(0, 0);");
        shot("overview");
        assertNoBreaches();
    }

    /**
     * Redrive from the page, through the consent the redrive API asks for when a paid task may exist: the submit's
     * answer is lost once (the provider made and charged a task; Yes Ai has no list to find it), so the job is
     * dead-lettered SUBMIT_OUTCOME_UNKNOWN; Redrive answers 409 DOUBLE_PAYMENT_NOT_ACCEPTED with what it may cost,
     * the page offers the second button, and with it the job goes through again and is stored.
     */
    @Test
    void redrive_from_the_page_asks_consent_then_ends_the_dead_job_stored() throws Exception {
        browser.get(page());
        until(() -> text("tr[data-provider='yesai'] .limit"), Duration.ofSeconds(20), "the account's row");
        sandbox().dropNextPostResponses(1);
        drop("again.json", v2("A lantern on a snowy porch", "cust-a"));
        awaitSettled(1, Duration.ofSeconds(60));
        Job dead = board().queries().find("again").orElseThrow();
        assertThat(dead.state).isEqualTo(JobState.DEAD);
        assertThat(dead.deadCode).isEqualTo("SUBMIT_OUTCOME_UNKNOWN");

        WebElement redrive = until(() -> browser.findElements(By.cssSelector("#dead tr[data-job='again'] button.redrive"))
                .stream().findFirst().orElse(null), Duration.ofSeconds(10), "the Redrive button of job again");
        redrive.click();
        String first = until(() -> text("#answers [data-job='again'] .answer-status"), Duration.ofSeconds(10),
                "the redrive's answer on the page");
        assertThat(first).isEqualTo("HTTP 409");
        assertThat(text("#answers [data-job='again'] pre.answer")).contains("DOUBLE_PAYMENT_NOT_ACCEPTED");
        assertThat(text("#answers [data-job='again'] .consent-cost")).startsWith("May cost: ");
        shot("redrive-consent");
        assertThat(board().queries().find("again").orElseThrow().state).as("nothing redriven without consent")
                .isEqualTo(JobState.DEAD);

        browser.findElement(By.cssSelector("#answers [data-job='again'] button.consent-button")).click();
        String second = until(() -> text("#answers [data-job='again'] .answer-status"), Duration.ofSeconds(10),
                "the consented redrive's answer");
        String shown = second + " " + text("#answers [data-job='again'] pre.answer");
        assertThat(second).as("the redrive is accepted; the page showed: " + shown).isEqualTo("HTTP 202");

        await(() -> board().queries().find("again").map(j -> j.state == JobState.STORED).orElse(false),
                Duration.ofSeconds(60), () -> "job again is " + board().queries().find("again").map(j -> j.state)
                        .orElse(null) + "; the page showed: " + shown);
        until(() -> "STORED".equals(text("#jobs tr[data-job='again'] .state")) ? true : null, Duration.ofSeconds(10),
                "the page to show job again STORED");
        assertThat(text("#dead tr[data-job='again']")).as("no longer a dead letter").isNull();
        // the answer stays on the page after its row left the dead letters
        assertThat(text("#answers [data-job='again'] .answer-status")).isEqualTo("HTTP 202");
        shot("redrive-stored");
        assertNoBreaches();
    }
}
