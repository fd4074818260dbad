import crypto, { type JsonWebKey, type KeyObject } from "node:crypto";
import type { Database } from "../../lib/db/database";
import { type KeyRow, SigningKeyTable } from "./store";
import type { SigningAlgorithm } from "./types";

/** A public key that verifies access tokens, parsed once. It alone decides the algorithm its tokens must name. */
export interface VerificationKey {
  kid: string;
  algorithm: SigningAlgorithm;
  publicKey: KeyObject;
  jwk: JsonWebKey;
  verifyUntil: number;
}

/** The key that signs new access tokens, parsed once. */
export interface SigningKey {
  kid: string;
  algorithm: SigningAlgorithm;
  privateKey: KeyObject;
  signUntil: number;
}

// An unknown kid makes us look in the database for a key another process made, but not more often than this,
// so tokens with made-up kids cannot turn into a query per request.
const UNKNOWN_KID_RELOAD_MS = 5_000;
// How stale this process's view of the keys table may grow while it only verifies: a key deleted from the database
// (say, by an operator after a leak) stops verifying here within this long, even with no rotation or JWKS read.
const KEY_RECHECK_MS = 60_000;

/**
 * The access token keys of a deployment (RS256 or ES256), shared by every process through the database. Time is cut into slots of the
 * rotation interval; each slot has exactly one key, inserted by whichever process needs it first (insert-or-ignore,
 * then read back), so processes racing to rotate agree on one key. A key verifies until every token it signed has
 * expired. Keys are cached: verification never waits on the database; at most once a minute it starts a reload in
 * the background, so a key deleted from the table stops verifying here too.
 */
export class SigningKeyStore {
  private verificationKeys = new Map<string, VerificationKey>();
  private signing: SigningKey | undefined;
  private loading: Promise<void> | undefined;
  private lookingUp: Promise<void> | undefined;
  private lastReload = 0;
  // Reloads may overlap (a rotation, a background recheck): only the one that queried last may replace the keys.
  private reloadsStarted = 0;
  private reloadApplied = 0;
  // When any reload last queried the table (the unknown-kid rate limit above keeps its own clock, lastReload).
  private lastQueried = 0;
  private readonly table: SigningKeyTable;

  /** A store over the recipe's keys table. */
  constructor(
    db: Database,
    private readonly intervalMs: number,
    private readonly accessTokenValidityMs: number,
    private readonly algorithm: SigningAlgorithm = "RS256",
  ) {
    this.table = new SigningKeyTable(db);
  }

  /** The key to sign with now, creating this slot's key if no process has yet. */
  async getSigningKey(): Promise<SigningKey> {
    const now = Date.now();
    if (this.signing !== undefined && this.signing.signUntil > now) return this.signing;
    this.loading ??= this.ensureCurrentKey(now).finally(() => {
      this.loading = undefined;
    });
    await this.loading;
    if (this.signing === undefined) throw new Error("no signing key after rotation"); // unreachable: ensureCurrentKey sets it
    return this.signing;
  }

  /** The cached key with this id, if it may still verify. Never waits on a query (a due recheck runs behind it). */
  getVerificationKey(kid: string): VerificationKey | undefined {
    const now = Date.now();
    // Never before the first load: that one is the caller's (warm, or the unknown-kid lookup), and waited for.
    if (this.lastQueried !== 0 && now - this.lastQueried >= KEY_RECHECK_MS) {
      // Best effort: on failure the cached keys still end at their own verifyUntil, and the next recheck retries.
      this.reload().catch(() => undefined);
    }
    const key = this.verificationKeys.get(kid);
    return key !== undefined && key.verifyUntil > now ? key : undefined;
  }

  /**
   * Looks in the database for a key id this process has not seen (rate-limited); undefined if none. Requests that
   * arrive while a look is under way wait for it: the first tokens of a key another process (on another node) just
   * made come in bursts, and all but the first were refused ("try refresh token") while the first found the key.
   */
  async findUnknownKey(kid: string): Promise<VerificationKey | undefined> {
    if (this.loading !== undefined) await this.loading.catch(() => undefined);
    if (this.lookingUp === undefined) {
      const known = this.getVerificationKey(kid);
      if (known !== undefined) return known;
      const now = Date.now();
      if (now - this.lastReload < UNKNOWN_KID_RELOAD_MS) return undefined;
      this.lastReload = now;
      this.lookingUp = this.reload().finally(() => {
        this.lookingUp = undefined;
      });
    }
    await this.lookingUp;
    return this.getVerificationKey(kid);
  }

  /** Loads the keys once if they are not cached yet (so the first verification need not wait on a miss). */
  async warm(): Promise<void> {
    if (this.signing === undefined) await this.getSigningKey();
  }

  /** Every key that may still verify, as a JWKS. */
  async getJWKS(): Promise<{ keys: JsonWebKey[] }> {
    await this.warm();
    // The keys this process knows, and those the table lists (other processes' new keys). The table is read where
    // lag is tolerated (a read replica, if set), and what it lists is published but not cached for verification.
    const now = Date.now();
    const keys = new Map([...this.verificationKeys].filter(([, k]) => k.verifyUntil > now));
    for (const row of await this.table.listPublishableKeys(now)) {
      if (keys.has(row.kid)) continue;
      const key = toVerificationKey(row);
      if (key !== undefined) keys.set(row.kid, key);
    }
    return { keys: [...keys.values()].map((k) => k.jwk) };
  }

  private async ensureCurrentKey(now: number): Promise<void> {
    const slotIndex = Math.floor(now / this.intervalMs);
    // RS256 keeps the slot names it always had; another algorithm has slots of its own, so switching makes a new
    // key at once while the old one keeps verifying the tokens it signed.
    const slot = `${this.algorithm === "RS256" ? "" : `${this.algorithm}:`}${this.intervalMs}:${slotIndex}`;
    await this.table.insertSlotKeyIfMissing(
      slot,
      () => {
        const signUntil = (slotIndex + 1) * this.intervalMs;
        const { publicKey, privateKey } =
          this.algorithm === "ES256"
            ? crypto.generateKeyPairSync("ec", { namedCurve: "P-256" })
            : crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        return {
          slot,
          kid: `k-${crypto.randomBytes(9).toString("base64url")}`,
          algorithm: this.algorithm,
          public_key: publicKey.export({ type: "spki", format: "pem" }).toString(),
          private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
          created_at: now,
          sign_until: signUntil,
          verify_until: signUntil + this.accessTokenValidityMs,
        };
      },
      now,
    );
    await this.reload(slot);
  }

  private async reload(currentSlot?: string): Promise<void> {
    const started = ++this.reloadsStarted;
    this.lastQueried = Date.now();
    const rows = await this.table.listVerifiableKeys(Date.now());
    // An older query than the keys already applied may miss a key inserted since: keep the newer view (but still
    // take this slot's signing key from it).
    const stale = started < this.reloadApplied;
    if (!stale) this.reloadApplied = started;
    const next = new Map<string, VerificationKey>();
    for (const row of rows) {
      const key = this.verificationKeys.get(row.kid) ?? toVerificationKey(row);
      if (key === undefined) continue;
      next.set(row.kid, key);
      if (row.slot === currentSlot) {
        this.signing = {
          kid: row.kid,
          algorithm: key.algorithm,
          privateKey: crypto.createPrivateKey(row.private_key),
          signUntil: Number(row.sign_until),
        };
      }
    }
    if (!stale) this.verificationKeys = next;
  }
}

// Which key type each algorithm needs: a row whose key does not match its algorithm verifies nothing.
const KEY_TYPES: Record<SigningAlgorithm, string> = { RS256: "rsa", ES256: "ec" };

function toVerificationKey(row: Omit<KeyRow, "private_key">): VerificationKey | undefined {
  if (row.algorithm !== "RS256" && row.algorithm !== "ES256") return undefined;
  const publicKey = crypto.createPublicKey(row.public_key);
  if (publicKey.asymmetricKeyType !== KEY_TYPES[row.algorithm]) return undefined;
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: row.kid, alg: row.algorithm, use: "sig" } as JsonWebKey;
  return { kid: row.kid, algorithm: row.algorithm, publicKey, jwk, verifyUntil: Number(row.verify_until) };
}
