package io.smartrunner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smartrunner.config.AlertSettings.FailureRate;
import io.smartrunner.config.AlertSettings.Trigger;
import io.smartrunner.config.AlertSettings.Webhook;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code alerts} block: webhooks, rules, the failure-rate rule, delivery settings, secrets. */
class ConfigAlertsTest extends ConfigTestSupport {
    private static final Map<String, String> ENV = Map.of("SLACK_URL", "https://hooks.slack.com/services/T0/B0/s3cretPath",
            "ALERT_TOKEN", "Bearer t0ken-value");

    @Test
    void absentBlockMeansAlertsOffWithEveryDefault() {
        AlertSettings alerts = load("{}").alerts();

        assertEquals(new AlertSettings(List.of(), Set.of(Trigger.PAUSE, Trigger.EXHAUSTED, Trigger.FAILURE_RATE,
                Trigger.SPAWN),
                new FailureRate(50, 300_000, 10, 900_000), 1000, 5, 1000, 5000), alerts);
        assertFalse(alerts.enabled());
    }

    @Test
    void webhookAloneDefaultsTheRestAndEnablesAlerts() {
        AlertSettings alerts = load("{'alerts': {'webhooks': [{'url': 'http://127.0.0.1:9/hook'}]}}").alerts();

        assertEquals(List.of(new Webhook("http://127.0.0.1:9/hook", Map.of())), alerts.webhooks());
        assertEquals(AlertSettings.defaults().on(), alerts.on());
        assertTrue(alerts.enabled());
    }

    @Test
    void loadsEveryKeyAndCollectsUrlAndHeaderValuesAsSecrets() {
        RunnerConfig config = load("{'alerts': {'webhooks': [{'url': '${env:SLACK_URL}',"
                + "   'headers': {'Authorization': '${env:ALERT_TOKEN}', 'X-Source': 'runner-7'}}],"
                + " 'on': ['failureRate', 'pause'],"
                + " 'failureRate': {'thresholdPercent': 0, 'windowMs': 1000, 'minSessions': 1, 'cooldownMs': 0},"
                + " 'queueSize': 1, 'retries': 0, 'retryBackoffMs': 1, 'timeoutMs': 600000}}", ENV);

        assertEquals(new AlertSettings(
                List.of(new Webhook(ENV.get("SLACK_URL"), Map.of("Authorization", ENV.get("ALERT_TOKEN"),
                        "X-Source", "runner-7"))),
                Set.of(Trigger.FAILURE_RATE, Trigger.PAUSE), new FailureRate(0, 1000, 1, 0), 1, 0, 1, 600_000),
                config.alerts());
        assertEquals(Set.of(ENV.get("SLACK_URL"), ENV.get("ALERT_TOKEN"), "runner-7"), config.secretValues());
    }

    @Test
    void literalUrlIsASecretToo() {
        RunnerConfig config = load("{'alerts': {'webhooks': [{'url': 'https://hooks.example.com/T1/abcdef'}]}}");

        assertEquals(Set.of("https://hooks.example.com/T1/abcdef"), config.secretValues());
    }

    @Test
    void emptyRuleListTurnsAlertsOff() {
        AlertSettings alerts = load("{'alerts': {'webhooks': [{'url': 'http://h/'}], 'on': []}}").alerts();

        assertEquals(Set.of(), alerts.on());
        assertFalse(alerts.enabled());
    }

    @Test
    void webhookPrintsOnlySchemeAndHost() {
        Webhook hook = new Webhook("https://hooks.slack.com:8443/services/T0/B0/s3cretPath?x=1",
                Map.of("Authorization", "Bearer t0ken"));

        assertEquals("https://hooks.slack.com:8443", hook.origin());
        assertFalse(hook.toString().contains("s3cret") || hook.toString().contains("t0ken"), hook.toString());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{'alerts': {'webhoks': []}}                                      | $.alerts.webhoks                        | webhooks",
        "{'alert': {}}                                                    | $.alert                                 | alerts",
        "{'alerts': {'retrys': 1}}                                        | $.alerts.retrys                         | retries",
        "{'alerts': {'failureRate': {'thresholdPercnt': 1}}}              | $.alerts.failureRate.thresholdPercnt    | thresholdPercent",
        "{'alerts': {'failurerate': {}}}                                  | $.alerts.failurerate                    | failureRate",
        "{'alerts': {'webhooks': [{'url': 'http://h/', 'header': {}}]}}   | $.alerts.webhooks[0].header             | headers",
    })
    void rejectsUnknownKeysWithNearMiss(String json, String path, String suggestion) {
        assertEquals(path + ": unknown key, did you mean \"" + suggestion + "\"?", rejects(json));
    }

    @Test
    void rejectsAnUnknownRuleWithNearMiss() {
        assertEquals("$.alerts.on[1]: \"paused\" is not a known rule (did you mean \"pause\"?), expected one of "
                + "\"pause\", \"exhausted\", \"failureRate\", \"spawn\"", rejects("{'alerts': {'on': ['exhausted', 'paused']}}"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "failureRate.thresholdPercent | 100     | 100 is too large, expected an integer from 0 to 99",
        "failureRate.thresholdPercent | 12.5    | 12.5 is a decimal number, expected an integer from 0 to 99",
        "failureRate.windowMs         | 999     | 999 is too small, expected milliseconds from 1000 (1 s) to 86400000 (1 days)",
        "failureRate.minSessions      | 0       | 0 is not allowed, expected an integer from 1 to 1000000",
        "failureRate.cooldownMs       | -1      | -1 is negative, expected milliseconds from 0 to 604800000 (7 days)",
        "queueSize                    | 0       | 0 is not allowed, expected an integer from 1 to 100000",
        "retries                      | 21      | 21 is too large, expected an integer from 0 to 20",
        "retryBackoffMs               | \"1s\"  | \"1s\" is a string, expected milliseconds from 1 to 600000 (10 min)",
        "timeoutMs                    | 0       | 0 is not allowed, expected milliseconds from 1 to 600000 (10 min)",
        "on                           | \"pause\" | \"pause\" is a string, expected an array of rule names, any of \"pause\", \"exhausted\", \"failureRate\", \"spawn\"",
        "webhooks                     | {}      | {} is an object, expected an array of webhooks, e.g. [{\"url\": \"${env:SLACK_WEBHOOK_URL}\"}]",
    })
    void rejectsBadValuesNamingThePath(String key, String json, String expected) {
        String block = key.contains(".") ? "{'" + key.replace(".", "': {'") + "': " + json + "}}"
                : "{'" + key + "': " + json + "}";
        assertEquals("$.alerts." + key + ": " + expected, rejects("{'alerts': " + block + "}"));
    }

    @Test
    void rejectsAMissingUrl() {
        assertEquals("$.alerts.webhooks[0].url: missing, expected an http(s) URL, e.g. \"${env:SLACK_WEBHOOK_URL}\" "
                + "or \"https://hooks.example.com/alerts\"", rejects("{'alerts': {'webhooks': [{'headers': {}}]}}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.com/T1/s3cretPath", "hooks.example.com/T1/s3cretPath",
        "https:///T1/s3cretPath", "https://hooks.example.com/T1/s3cret Path"})
    void rejectsANonHttpUrlShowingAtMostItsHost(String url) {
        String message = rejects("{'alerts': {'webhooks': [{'url': '" + url + "'}]}}");

        assertContains("$.alerts.webhooks[0].url: ", message);
        assertContains(" is not an absolute http(s) URL, expected e.g.", message);
        assertFalse(message.contains("s3cret"), message);
    }

    @Test
    void rejectsCredentialsInTheUrlWithoutShowingThem() {
        String message = rejects("{'alerts': {'webhooks': [{'url': 'https://bob:hunter2@hooks.example.com/x'}]}}");

        assertEquals("$.alerts.webhooks[0].url: \"https://...\" has credentials in it, expected a URL without user "
                + "info; send credentials as a header, e.g. \"headers\": {\"Authorization\": \"${env:ALERT_TOKEN}\"}",
                message);
    }

    @Test
    void errorsShowTheTemplateNotTheResolvedUrl() {
        String message = rejects("{'alerts': {'webhooks': [{'url': '${env:SLACK_URL}'}]}}",
                Map.of("SLACK_URL", "not-a-url-s3cret"));

        assertEquals("$.alerts.webhooks[0].url: \"${env:SLACK_URL}\" is not an absolute http(s) URL, expected e.g. "
                + "\"${env:SLACK_WEBHOOK_URL}\" or \"https://hooks.example.com/alerts\"", message);
    }

    @Test
    void rejectsAWebhookWrittenAsABareUrlWithoutShowingIt() {
        String message = rejects("{'alerts': {'webhooks': ['https://hooks.example.com/T1/s3cretPath']}}");

        assertEquals("$.alerts.webhooks[0]: a string, expected a webhook object, e.g. "
                + "{\"url\": \"${env:SLACK_WEBHOOK_URL}\"}", message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Host            | h",
        "Content-Length  | 1",
        "Bad Name        | v",
        "X-Token         | a\\nb",
    })
    void rejectsHeadersTheSenderCannotSet(String name, String value) {
        String message = rejects("{'alerts': {'webhooks': [{'url': 'http://h/', 'headers': {'" + name + "': '"
                + value + "'}}]}}");

        assertContains(": not a header the sender can set", message);
        assertTrue(message.startsWith("$.alerts.webhooks[0].headers"), message);
    }

    @Test
    void rejectsContentTypeWhichTheSenderSets() {
        assertEquals("$.alerts.webhooks[0].headers[\"content-type\"]: content-type is set by the sender "
                        + "(application/json), expected other headers",
                rejects("{'alerts': {'webhooks': [{'url': 'http://h/', 'headers': {'content-type': 'text/plain'}}]}}"));
    }

    @Test
    void rejectsAMissingHeaderVariableWithoutAValue() {
        assertEquals("$.alerts.webhooks[0].headers.Authorization: environment variable ALERT_TOKEN is not set, "
                + "expected it to be set for \"${env:ALERT_TOKEN}\"", rejects("{'alerts': {'webhooks': "
                + "[{'url': 'http://h/', 'headers': {'Authorization': '${env:ALERT_TOKEN}'}}]}}"));
    }
}
