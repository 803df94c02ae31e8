package io.smartrunner;

/** UTF-8 byte counts of Java text, without encoding it. */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * The bytes {@code text} takes in UTF-8. A lone surrogate counts 3 (the encoder writes '?', 1
     * byte): an upper bound, which is what a caller sizing a buffer or judging a read needs.
     */
    public static int length(CharSequence text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
