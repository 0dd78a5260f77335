package dev.finetune.trainer.data;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where a file stops being UTF-8, as a 1-based line: read again only once a parser has failed on it. */
final class Utf8Lines {
    private Utf8Lines() {}

    /** The line of the first byte that is not UTF-8; 1 when it cannot be read again. */
    static long firstInvalidLine(Path file) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long lineNo = 1;
            int b;
            while (true) {
                b = in.read();
                if (b < 0 || b == '\n') {
                    try {
                        utf8.decode(ByteBuffer.wrap(line.toByteArray()));
                    } catch (CharacterCodingException e) {
                        return lineNo;
                    }
                    if (b < 0) {
                        return 1;
                    }
                    line.reset();
                    lineNo++;
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            return 1;
        }
    }
}
