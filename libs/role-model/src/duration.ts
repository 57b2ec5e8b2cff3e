/**
 * ISO-8601 durations (`PT24H`, `P15D`, `PT30S`) for validity periods and retry delays.
 *
 * Only units of fixed length are accepted. Years and months have no fixed length (a "month" of
 * validity would silently mean 28 to 31 days), so the file says `P30D` instead and everybody
 * reads the same thing.
 */

const PATTERN =
  /^P(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

const MS = { week: 604_800_000, day: 86_400_000, hour: 3_600_000, minute: 60_000, second: 1000 };

export type DurationParse = { ok: true; ms: number } | { ok: false; rule: string };

/** Parses an ISO-8601 duration into milliseconds, or says in words what is wrong with it. */
export function parseDuration(text: string): DurationParse {
  const bad = (why: string): DurationParse => ({
    ok: false,
    rule: `must be an ISO-8601 duration such as PT30M, PT24H or P15D (${why})`,
  });
  const value = text.trim();
  if (/^P(?:\d+(?:[.,]\d+)?[YM])/.test(value)) {
    return bad('years and months have no fixed length: use days, e.g. P30D');
  }
  const match = PATTERN.exec(value);
  if (!match || value === 'P' || value.endsWith('T')) return bad(`got '${text}'`);
  const [, w, d, h, m, s] = match.map((part) => (part === undefined ? 0 : Number(part.replace(',', '.'))));
  const ms = Math.round(w * MS.week + d * MS.day + h * MS.hour + m * MS.minute + s * MS.second);
  if (ms <= 0) return bad('it must be longer than zero');
  if (!Number.isSafeInteger(ms)) return bad('it is too long');
  return { ok: true, ms };
}

/** Parses a duration that has already been validated; throws if it was not. */
export function durationMs(text: string): number {
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new Error(`invalid duration '${text}': ${parsed.rule}`);
  return parsed.ms;
}
