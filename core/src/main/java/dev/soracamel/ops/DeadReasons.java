package dev.soracamel.ops;

import java.util.Map;

/**
 * What our own dead-letter codes mean, in English and Russian: the one place the operator page takes them
 * from. A provider's refusal carries its own comments (comment_en, comment_ru), which come first; these texts
 * stand in where the provider said nothing, or where the code is ours.
 */
public final class DeadReasons {

    /** A reason in both languages. */
    public record Reason(String en, String ru) {
    }

    private static final Map<String, Reason> REASONS = Map.ofEntries(
            Map.entry("TASK_REJECTED", new Reason(
                    "The provider refused the task (often moderation of the prompt or the image).",
                    "Провайдер отклонил задачу (чаще всего модерация промпта или изображения).")),
            Map.entry("TASK_TIMED_OUT", new Reason(
                    "The provider timed the task out every time it was submitted.",
                    "Провайдер прерывал задачу по таймауту при каждой отправке.")),
            Map.entry("POLL_ATTEMPTS_EXHAUSTED", new Reason(
                    "No final status came within the allowed number of status checks.",
                    "Финальный статус не пришёл за допустимое число проверок.")),
            Map.entry("SUBMIT_OUTCOME_UNKNOWN", new Reason(
                    "The submit's answer was lost: a paid task may exist at the provider. Ask its support before sending again.",
                    "Ответ на отправку потерян: у провайдера может быть оплаченная задача. Уточните в поддержке, прежде чем отправлять снова.")),
            Map.entry("RESULT_LINK_EXPIRED", new Reason(
                    "The video's link expired before it could be downloaded.",
                    "Ссылка на видео истекла до того, как его удалось скачать.")),
            Map.entry("DOWNLOAD_FAILED", new Reason(
                    "The video could not be downloaded after every attempt.",
                    "Видео не удалось скачать ни с одной попытки.")),
            Map.entry("DOWNLOAD_INCOMPLETE", new Reason(
                    "The video's download was cut off every time.",
                    "Загрузка видео каждый раз обрывалась.")),
            Map.entry("DOWNLOAD_TOO_LARGE", new Reason(
                    "The video is larger than the configured maximum.",
                    "Видео больше заданного максимума.")),
            Map.entry("STORAGE_FAILED", new Reason(
                    "The paid video could not be stored; the dead letter names the file that keeps it.",
                    "Оплаченное видео не удалось сохранить; в отчёте указан файл, где оно лежит.")),
            Map.entry("UNEXPECTED_RESPONSE", new Reason(
                    "The provider answered something the pipeline cannot read.",
                    "Провайдер ответил так, что ответ невозможно разобрать.")),
            Map.entry("CUSTOMER_BANNED", new Reason(
                    "The customer is banned or deleted at the provider.",
                    "Клиент заблокирован или удалён у провайдера.")),
            Map.entry("BUDGET_EXCEEDED", new Reason(
                    "A daily budget would have been exceeded.",
                    "Был бы превышен дневной бюджет.")),
            // the provider's refusals at submit, for when its answer carried no comments of its own
            Map.entry("PROMPT_NSFW_WORDS", new Reason(
                    "The provider's moderation found words it does not allow in the prompt.",
                    "Модерация провайдера нашла в промпте недопустимые слова.")),
            Map.entry("PROMPT_EN_NSFW_WORDS", new Reason(
                    "The provider's moderation found words it does not allow in the prompt's English translation.",
                    "Модерация провайдера нашла недопустимые слова в английском переводе промпта.")),
            Map.entry("PROMPT_FAILED_TO_TRANSLATE", new Reason(
                    "The provider could not translate the prompt.",
                    "Провайдер не смог перевести промпт.")),
            Map.entry("PARAMETERS_IS_NOT_ALLOWED", new Reason(
                    "The provider does not allow this combination of parameters.",
                    "Провайдер не допускает такое сочетание параметров.")),
            Map.entry("PROVIDER_NOT_CONFIGURED", new Reason(
                    "The job names a provider this pipeline no longer has.",
                    "Задача ссылается на провайдера, которого больше нет в настройках.")));

    private static final Reason UNKNOWN = new Reason(
            "See the message: the code has no description here.",
            "См. сообщение: для этого кода нет описания.");

    private DeadReasons() {
    }

    /** The reason for a code; a code we do not describe gets a sentence saying so, never nothing. */
    public static Reason of(String code) {
        return code == null ? UNKNOWN : REASONS.getOrDefault(code, UNKNOWN);
    }
}
