package dev.soracamel.sandbox;

/**
 * One error answer of the Yes Ai API: the HTTP status and the {@code message} code of
 * {@code {"success":false,"message":CODE}}. The constants are the codes and statuses of seed 000.
 */
record ApiError(int httpStatus, String code) {

    static final ApiError UNAUTHORIZED = new ApiError(401, "UNAUTHORIZED");
    static final ApiError TOO_MANY_REQUESTS = new ApiError(429, "TOO_MANY_REQUESTS");

    static final ApiError VERSION_IS_EMPTY = new ApiError(400, "VERSION_IS_EMPTY");
    static final ApiError VERSION_NOT_VALID = new ApiError(400, "VERSION_NOT_VALID");
    static final ApiError VERSION_NOT_FOUND = new ApiError(404, "VERSION_NOT_FOUND");
    static final ApiError PROMPT_IS_EMPTY = new ApiError(400, "PROMPT_IS_EMPTY");
    static final ApiError PROMPT_NOT_VALID = new ApiError(400, "PROMPT_NOT_VALID");
    static final ApiError RESOLUTION_IS_EMPTY = new ApiError(400, "RESOLUTION_IS_EMPTY");
    static final ApiError RESOLUTION_NOT_VALID = new ApiError(400, "RESOLUTION_NOT_VALID");
    static final ApiError RESOLUTION_NOT_FOUND = new ApiError(404, "RESOLUTION_NOT_FOUND");
    static final ApiError DIMENSIONS_IS_EMPTY = new ApiError(400, "DIMENSIONS_IS_EMPTY");
    static final ApiError DIMENSIONS_NOT_VALID = new ApiError(400, "DIMENSIONS_NOT_VALID");
    static final ApiError DIMENSIONS_NOT_FOUND = new ApiError(404, "DIMENSIONS_NOT_FOUND");
    static final ApiError DURATION_IS_EMPTY = new ApiError(400, "DURATION_IS_EMPTY");
    static final ApiError DURATION_NOT_VALID = new ApiError(400, "DURATION_NOT_VALID");
    static final ApiError DURATION_NOT_FOUND = new ApiError(404, "DURATION_NOT_FOUND");
    static final ApiError IMAGE_URL_IS_EMPTY = new ApiError(400, "IMAGE_URL_IS_EMPTY");
    static final ApiError IMAGE_URL_NOT_VALID = new ApiError(400, "IMAGE_URL_NOT_VALID");
    static final ApiError IMAGE_NOT_FOUND = new ApiError(404, "IMAGE_NOT_FOUND");
    static final ApiError IMAGE_FILE_SIZE_NOT_VALID = new ApiError(400, "IMAGE_FILE_SIZE_NOT_VALID");
    static final ApiError IMAGE_MIME_TYPE_NOT_VALID = new ApiError(400, "IMAGE_MIME_TYPE_NOT_VALID");

    static final ApiError USER_HAS_BEEN_BANNED = new ApiError(409, "USER_HAS_BEEN_BANNED");
    static final ApiError USER_HAS_BEEN_DELETED = new ApiError(409, "USER_HAS_BEEN_DELETED");
    static final ApiError NOT_ENOUGH_RPOINTS = new ApiError(409, "NOT_ENOUGH_RPOINTS");
    static final ApiError PROMPT_NSFW_WORDS = new ApiError(409, "PROMPT_NSFW_WORDS");
    static final ApiError PROMPT_EN_NSFW_WORDS = new ApiError(409, "PROMPT_EN_NSFW_WORDS");
    static final ApiError PROMPT_FAILED_TO_TRANSLATE = new ApiError(409, "PROMPT_FAILED_TO_TRANSLATE");
    static final ApiError PARAMETERS_IS_NOT_ALLOWED = new ApiError(409, "PARAMETERS_IS_NOT_ALLOWED");
    static final ApiError TASK_LIMIT_EXCEEDED = new ApiError(409, "TASK_LIMIT_EXCEEDED");

    static final ApiError ID_IS_EMPTY = new ApiError(400, "ID_IS_EMPTY");
    static final ApiError ID_NOT_VALID = new ApiError(400, "ID_NOT_VALID");
    static final ApiError ID_NOT_FOUND = new ApiError(404, "ID_NOT_FOUND");

    static final ApiError INTERNAL_SERVER_ERROR = new ApiError(500, "INTERNAL_SERVER_ERROR");

    /** Not in the seed: the sandbox's answer to a wrong method or path, kept in the same shape. */
    static final ApiError METHOD_NOT_ALLOWED = new ApiError(405, "METHOD_NOT_ALLOWED");
    static final ApiError NOT_FOUND = new ApiError(404, "NOT_FOUND");
}
