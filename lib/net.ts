/** True for a loopback host: `localhost`, 127.0.0.0/8 or ::1 (with or without the URL form's brackets). */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return bare === "localhost" || bare.startsWith("127.") || bare === "::1";
}
