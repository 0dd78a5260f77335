package dev.finetune.trainer.source;

/** The Hub's two repository kinds we read, with their URL and cache-folder prefixes. */
enum HubRepoType {
    MODEL("models", ""),
    DATASET("datasets", "datasets/");

    private final String plural;
    private final String resolvePrefix;

    HubRepoType(String plural, String resolvePrefix) {
        this.plural = plural;
        this.resolvePrefix = resolvePrefix;
    }

    /** {@code models} or {@code datasets}: in {@code /api/<plural>/...} and {@code <plural>--ORG--NAME}. */
    String cachePrefix() {
        return plural;
    }

    String apiPath() {
        return "api/" + plural + "/";
    }

    /** Models resolve at {@code /ORG/NAME/resolve/...}, datasets at {@code /datasets/ORG/NAME/resolve/...}. */
    String resolvePrefix() {
        return resolvePrefix;
    }
}
