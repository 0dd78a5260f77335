package dev.finetune.trainer.source;

/** HTTP 404: permanent, and also the way an optional file (a tokenizer file, say) reports that it is absent. */
final class NotFoundException extends SourceException {
    NotFoundException(String message) {
        super(message, PERMANENT);
    }
}
