// Throttle rates in DRF's notation (DEFAULT_THROTTLE_RATES): "100/min",
// "5/second", "1000/day". DRF reads only the period's first letter, so that
// "100/mars" would pass as a minute; here the period must be one of the words
// DRF's documentation uses, or their short forms, so that a typo is reported.

export type ThrottleRate = {
  /** How many requests are allowed in one period. */
  requests: number;
  periodSeconds: number;
  /** As the operator wrote it, for messages. */
  text: string;
};

const PERIOD_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3_600, d: 86_400 };

const RATE_PATTERN = /^(\d{1,9})\/(s|sec|second|seconds|m|min|minute|minutes|h|hour|hours|d|day|days)$/;

export const RATE_EXAMPLE = "100/min (a whole number, then /s, /min, /hour or /day)";

/** null when `text` is not a rate DRF would read the same way. */
export function parseRate(text: string): ThrottleRate | null {
  const match = RATE_PATTERN.exec(text.trim());
  if (!match) return null;
  const requests = Number(match[1]);
  if (requests < 1) return null;
  return { requests, periodSeconds: PERIOD_SECONDS[match[2]![0]!]!, text: text.trim() };
}
