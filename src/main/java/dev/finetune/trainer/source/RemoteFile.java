package dev.finetune.trainer.source;

import java.util.regex.Pattern;

/**
 * What a HEAD on a Hub resolve URL tells before downloading: the blob's id (sha256 for LFS files, the git blob
 * id otherwise) and its size. The bytes are then fetched through the resolve URL again rather than the CDN
 * URL it redirects to, so that a retry after the CDN's signed URL expired still works.
 *
 * @param etag the normalized ETag (no quotes, no W/), the blob's name in the cache
 * @param size bytes, or -1 where unknown
 */
record RemoteFile(String etag, long size) {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    /** Hub LFS files carry their sha256 as ETag: then the content can be checked, not only its size. */
    boolean etagIsSha256() {
        return etag != null && SHA256.matcher(etag).matches();
    }

    static String normalizeEtag(String etag) {
        if (etag == null) {
            return null;
        }
        String value = etag.trim();
        if (value.startsWith("W/")) {
            value = value.substring(2);
        }
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
        }
        return value.isEmpty() ? null : value;
    }
}
