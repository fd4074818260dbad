import { Latchkey } from "./latchkey";

/**
 * Test-only: forgets the initialised Latchkey (so `init()` may be called again) and closes the connection pool
 * Latchkey opened. Never call it in application code.
 */
export function resetForTests(): Promise<void> {
  return Latchkey.reset();
}
