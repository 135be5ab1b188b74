// Whole units, rounded down: "expires in 14 minutes" never promises time the token lacks.
const UNITS: readonly (readonly [name: string, seconds: number])[] = [
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** A span in its largest whole unit: `14 minutes`, `1 hour`, `3 days`. */
export function describeSpan(seconds: number): string {
  const abs = Math.abs(seconds);
  const [name, size] = UNITS.find(([, size]) => abs >= size) ?? ['second', 1];
  const count = Math.floor(abs / size);

  return `${count} ${name}${count === 1 ? '' : 's'}`;
}

/** `expires in 14 minutes` or `expired 3 hours ago`; times in epoch seconds. */
export function describeExpiry(exp: number, now: number): string {
  return exp > now
    ? `expires in ${describeSpan(exp - now)}`
    : `expired ${describeSpan(now - exp)} ago`;
}

/** `3 hours ago`, or `2 minutes in the future` for a clock that runs ahead of ours. */
export function describeAge(timestamp: number, now: number): string {
  return timestamp > now
    ? `${describeSpan(timestamp - now)} in the future`
    : `${describeSpan(now - timestamp)} ago`;
}

/** ISO 8601 in UTC, or a note when the value is no usable epoch-seconds timestamp. */
export function isoFromEpochSeconds(seconds: number): string {
  const date = new Date(seconds * 1000);

  return Number.isNaN(date.getTime()) ? 'not a valid timestamp' : date.toISOString();
}
