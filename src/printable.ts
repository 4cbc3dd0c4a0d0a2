// Text that came from outside (a fixture's values, a file name, a username, a
// database's message) may hold characters that a terminal obeys rather than
// shows: ESC sequences that clear the screen or retitle the window, a \r that
// lets the rest of a line overwrite what came before it, a NUL, or bidi
// overrides that make text read in another order than it is stored
// ("Trojan Source"). Shown as escapes they are harmless and still visible.

// C0 and C1 controls and DEL (\p{Cc}, which includes \n and \t: a line break
// from outside could forge a line of our own), the bidi marks, embeddings,
// overrides and isolates, the Unicode line and paragraph separators, and lone
// surrogates. ZWNJ (U+200C), which Persian spelling needs, is not among them.
const UNPRINTABLE = /[\p{Cc}\p{Cs}\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** `text` with every character a terminal would act on written as `\xNN` (up to U+00FF) or `\u{NNNN}`. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (character) => {
    const code = character.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
  });
}
