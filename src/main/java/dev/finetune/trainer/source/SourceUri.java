package dev.finetune.trainer.source;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/**
 * A parsed {@code spec.model.uri} or {@code spec.dataset.uri}. {@code location} is the Hub repo id for
 * {@link Scheme#HUB}, the URL for {@link Scheme#HTTP}, and the path as written for the local schemes.
 */
record SourceUri(Scheme scheme, String location) {

    enum Scheme { HUB, HTTP, FILE, PVC, RELATIVE }

    /** ORG/NAME or a bare legacy NAME such as bert-base-uncased; the Hub's own repo-name rules. */
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][\\w.-]*(/[A-Za-z0-9][\\w.-]*)?");

    static SourceUri parse(String uri, String field) throws SourceException {
        if (uri == null || uri.isBlank()) {
            throw SourceException.permanent(field + " is required");
        }
        String text = uri.trim();
        int colon = text.indexOf("://");
        if (colon < 0) {
            if (text.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                throw unsupported(text, field);
            }
            return new SourceUri(Scheme.RELATIVE, text);
        }
        String scheme = text.substring(0, colon).toLowerCase();
        String rest = text.substring(colon + 3);
        switch (scheme) {
            case "hf":
                String repo = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
                if (!REPO_ID.matcher(repo).matches() || repo.contains("..") || repo.contains("--")) {
                    throw SourceException.permanent(field + " '" + uri + "' is not a Hub repo: expected hf://ORG/NAME");
                }
                return new SourceUri(Scheme.HUB, repo);
            case "https":
            case "http": // plain http for mirrors inside the cluster and for tests
                try {
                    URI url = new URI(text.replace("{split}", "split")); // the placeholder of https datasets
                    if (url.getHost() == null) {
                        throw SourceException.permanent(field + " '" + uri + "' has no host");
                    }
                } catch (URISyntaxException e) {
                    throw SourceException.permanent(field + " '" + uri + "' is not a valid URL: " + e.getReason());
                }
                return new SourceUri(Scheme.HTTP, text);
            case "file":
                if (!rest.startsWith("/")) {
                    throw SourceException.permanent(field + " '" + uri + "' must be file:///absolute/path");
                }
                return new SourceUri(Scheme.FILE, rest);
            case "pvc":
                if (rest.isEmpty() || rest.startsWith("/")) {
                    throw SourceException.permanent(field + " '" + uri + "' must be pvc://relative/path (relative to the job's volume)");
                }
                return new SourceUri(Scheme.PVC, rest);
            default:
                throw unsupported(uri, field);
        }
    }

    private static SourceException unsupported(String uri, String field) {
        return SourceException.permanent(field + " '" + uri
                + "' has an unsupported scheme: use hf://, https://, file://, pvc:// or a relative path");
    }
}
