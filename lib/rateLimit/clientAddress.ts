import net from "node:net";
import type { BaseRequest } from "../framework/request";

/**
 * The client's address for rate limiting: the socket's peer, or with `trustedProxies` = n > 0 the address n hops
 * back along X-Forwarded-For (the entries your own proxies appended; anything further left is the client's word).
 * IPv6 addresses are cut to their /64, since one host usually holds a whole /64. Undefined when unknown.
 */
export function clientAddress(req: BaseRequest, trustedProxies: number): string | undefined {
  const peer = req.getRemoteAddress?.();
  if (trustedProxies === 0) return peer === undefined ? undefined : normaliseAddress(peer);
  const forwarded = (req.getHeader("x-forwarded-for") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  const chain = peer === undefined ? forwarded : [...forwarded, peer];
  const chosen = chain[Math.max(0, chain.length - 1 - trustedProxies)];
  if (chosen !== undefined && net.isIP(stripMapped(chosen)) !== 0) return normaliseAddress(chosen);
  return peer === undefined ? undefined : normaliseAddress(peer);
}

function stripMapped(address: string): string {
  return address.toLowerCase().startsWith("::ffff:") && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** IPv4 as is (also when IPv4-mapped); IPv6 as its /64 prefix in full form. */
export function normaliseAddress(raw: string): string {
  const address = stripMapped(raw.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, ""));
  if (!net.isIPv6(address)) return address;
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}
