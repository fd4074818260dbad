// PostgreSQL text cannot hold NUL (the query fails), and an unpaired UTF-16 surrogate reaches every database as
// U+FFFD (two different strings would become one): neither can be a stored value, so neither is looked up.
// eslint-disable-next-line no-control-regex -- NUL is exactly what must be found
const UNSTORABLE = /\u0000|\p{Cs}/u;

/** True when a string can be stored and found again byte for byte on every supported database. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}
