import crypto from "node:crypto";
import { sha256 } from "../../lib/secrets";
import type { JSONObject } from "../../lib/types";
import { decodeToken, encodeToken } from "../../lib/userListing";
import type { DashboardStore } from "./store";
import type { Access, RecipeInterface, TypeNormalisedInput } from "./types";

const BEARER = /^Bearer[ ]+(\S+)[ ]*$/i;

/** The original RecipeInterface: keys checked against their digests, the audit log in the store. */
export function makeRecipeImplementation(store: DashboardStore, config: TypeNormalisedInput): RecipeInterface {
  return {
    getAccess: ({ authorization }) => Promise.resolve(accessOf(config, authorization)),
    recordAction: async ({ actor, action, target, detail }) => {
      await store.insertAudit({
        id: crypto.randomUUID(),
        time: Date.now(),
        actor: actor.slice(0, 100),
        action: action.slice(0, 64),
        target: target === null ? null : target.slice(0, 255),
        detail: JSON.stringify(detail),
      });
    },
    listAuditLog: async ({ limit, paginationToken }) => {
      const before = paginationToken === undefined ? undefined : decodeToken(paginationToken);
      const rows = await store.listAudit(limit + 1, before);
      const entries = rows.slice(0, limit).map((row) => ({
        id: row.id,
        time: Number(row.time),
        actor: row.actor,
        action: row.action,
        target: row.target,
        detail: JSON.parse(row.detail) as JSONObject,
      }));
      const last = entries[entries.length - 1];
      return rows.length > limit && last !== undefined
        ? { entries, nextPaginationToken: encodeToken({ timeJoined: last.time, userId: last.id }) }
        : { entries };
    },
  };
}

// Every configured key's digest is compared with the presented key's, in constant time, all of them every time: the
// answer's timing says nothing about which key (or how much of one) matched.
function accessOf(config: TypeNormalisedInput, authorization: string | undefined): Access | undefined {
  const presented = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
  if (presented === undefined || presented.length > 512) return undefined;
  const digest = Buffer.from(sha256(presented), "hex");
  let found: { digest: string; readOnly: boolean } | undefined;
  for (const key of config.keys) {
    if (crypto.timingSafeEqual(digest, Buffer.from(key.digest, "hex"))) found = key;
  }
  return found === undefined ? undefined : { actor: `api-key:${found.digest.slice(0, 8)}`, readOnly: found.readOnly };
}
