package dev.finetune.trainer.source;

/**
 * A model or dataset could not be made available locally. {@link #exitCode()} tells the pod whether a retry can
 * help: {@link #PERMANENT} (2: bad URI, 404, refused token, no safetensors weights) fails the job at once, while
 * {@link #TRANSIENT} (75, EX_TEMPFAIL: network trouble that outlived the retries) lets the Job try again.
 */
public class SourceException extends Exception {
    public static final int PERMANENT = 2;
    public static final int TRANSIENT = 75;

    private final int exitCode;

    public SourceException(String message, int exitCode) {
        super(message);
        this.exitCode = exitCode;
    }

    public SourceException(String message, int exitCode, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    static SourceException permanent(String message) {
        return new SourceException(message, PERMANENT);
    }

    static SourceException transientFailure(String message, Throwable cause) {
        return new SourceException(message, TRANSIENT, cause);
    }

    public int exitCode() {
        return exitCode;
    }

    public boolean isPermanent() {
        return exitCode == PERMANENT;
    }
}
