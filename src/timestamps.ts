// Timestamps as DRF renders them and as fixtures bring them. Python keeps
// microseconds and a JavaScript Date only milliseconds, so a timestamp here is
// a Date plus the microseconds past its millisecond (0–999).

export type Timestamp = { date: Date; micros: number };

/**
 * Python's `isoformat()` of an aware UTC datetime with `+00:00` written `Z`,
 * as DRF's DateTimeField does: six fractional digits, none when they are all zero.
 */
export function formatDrfTimestamp({ date, micros }: Timestamp): string {
  const seconds = date.toISOString().slice(0, 19);
  const fraction = date.getUTCMilliseconds() * 1000 + micros;
  return fraction === 0 ? `${seconds}Z` : `${seconds}.${String(fraction).padStart(6, "0")}Z`;
}

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses ISO 8601 with a zone (Z or ±hh:mm) and up to six fractional digits; null when it is not one. */
export function parseIsoTimestamp(text: string): Timestamp | null {
  const match = ISO_8601.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = "", zone] = match as unknown as string[];
  const fields = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const micros = Number(fraction.padEnd(6, "0"));
  const offsetMinutes =
    zone === "Z" ? 0 : (zone!.startsWith("-") ? -1 : 1) * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6)));
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5]);
  // Date.UTC rolls 2026-02-30 over to March: reject any field it had to move.
  const check = new Date(utc);
  if (
    check.getUTCFullYear() !== fields[0] ||
    check.getUTCMonth() !== fields[1] - 1 ||
    check.getUTCDate() !== fields[2] ||
    check.getUTCHours() !== fields[3] ||
    check.getUTCMinutes() !== fields[4] ||
    check.getUTCSeconds() !== fields[5]
  ) {
    return null;
  }
  return { date: new Date(utc - offsetMinutes * 60_000 + Math.floor(micros / 1000)), micros: micros % 1000 };
}
