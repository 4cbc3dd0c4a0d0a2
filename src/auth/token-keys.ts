// API token keys: made as DRF makes them (20 random bytes, 40 lowercase hex
// characters), stored only as their SHA-256, so a leaked table leaks no key.
import { createHash, randomBytes } from "node:crypto";

export const TOKEN_KEY_PATTERN = /^[0-9a-f]{40}$/;

export function generateTokenKey(): string {
  return randomBytes(20).toString("hex");
}

export function hashTokenKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
