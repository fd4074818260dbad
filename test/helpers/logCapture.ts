/** Captures everything written through console and to stderr while `fn` runs (mocha's own output is on stdout). */
export async function captureLogs<T>(fn: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const lines: string[] = [];
  const saved = {
    log: console.log,
    info: console.info,
    warn: console.warn,
    error: console.error,
    debug: console.debug,
  };
  const savedStderr = process.stderr.write.bind(process.stderr);
  const record = (...args: unknown[]): void =>
    void lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : String(a))).join(" "));
  console.log = console.info = console.warn = console.error = console.debug = record;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const result = await fn();
    return { result, logs: lines.join("\n") };
  } finally {
    Object.assign(console, saved);
    process.stderr.write = savedStderr;
  }
}
