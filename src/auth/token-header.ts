// Reads `Authorization: Token <key>` exactly as DRF's TokenAuthentication
// does, so that every old client gets the answer it got before.
import { DRF_MESSAGES } from "../errors.ts";

export type TokenHeader =
  /** No header, or another scheme: not an attempt at token authentication. */
  | { kind: "absent" }
  | { kind: "malformed"; detail: string }
  | { kind: "key"; key: string };

// Python's bytes.split() with no argument splits on runs of ASCII whitespace.
const ASCII_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
/** The scheme's word, as DRF writes it in WWW-Authenticate; compared case-insensitively. */
export const TOKEN_KEYWORD = "Token";
const TOKEN_KEYWORD_LOWER = TOKEN_KEYWORD.toLowerCase();

function splitOnWhitespace(bytes: Uint8Array): Uint8Array[] {
  const words: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i <= bytes.length; i++) {
    const isSpace = i === bytes.length || ASCII_WHITESPACE.has(bytes[i]!);
    if (!isSpace && start < 0) start = i;
    if (isSpace && start >= 0) {
      words.push(bytes.subarray(start, i));
      start = -1;
    }
  }
  return words;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * `header` is the raw header value as Node hands it over: one character per
 * byte (latin-1), which is also how Django's WSGI layer sees it. The key itself
 * must then be valid UTF-8, as DRF's `auth[1].decode()` requires.
 */
export function parseTokenHeader(header: string | null): TokenHeader {
  if (header === null) return { kind: "absent" };
  const words = splitOnWhitespace(Buffer.from(header, "latin1"));
  const scheme = words[0] ? Buffer.from(words[0]).toString("latin1") : "";
  // bytes.lower() folds ASCII letters only, so compare on ASCII alone.
  if (scheme.replace(/[A-Z]/g, (letter) => letter.toLowerCase()) !== TOKEN_KEYWORD_LOWER) return { kind: "absent" };
  if (words.length === 1) return { kind: "malformed", detail: DRF_MESSAGES.noCredentials };
  if (words.length > 2) {
    return { kind: "malformed", detail: DRF_MESSAGES.tokenWithSpaces };
  }
  try {
    return { kind: "key", key: utf8.decode(words[1]) };
  } catch {
    return { kind: "malformed", detail: DRF_MESSAGES.tokenNotUtf8 };
  }
}
