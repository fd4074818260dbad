// Case counts of the security suite, printed once at the end of the run (the issue asks for them in CI's output).
const counts = new Map<string, number>();

/** Adds `n` cases to a named part of the security suite. */
export function countCases(part: string, n = 1): void {
  counts.set(part, (counts.get(part) ?? 0) + n);
}

/** The summary line, e.g. "security: tampering 14 cases, rate limits 11 cases". */
export function summary(): string {
  return `security: ${[...counts].map(([part, n]) => `${part} ${n} cases`).join(", ")}`;
}

// Registered once, when the first security file imports this module: a root-level hook runs after the whole run.
after(() => {
  if (counts.size > 0) console.log(`  ${summary()}`);
});
