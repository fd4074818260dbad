import crypto from "node:crypto";
import { configError } from "./error";

/**
 * Encrypts secrets at rest (TOTP secrets, tenants' OAuth client secrets) with AES-256-GCM under a key derived
 * (HKDF-SHA256, with a per-use `purpose` as the info) from the app's configured `secretEncryptionKey`, so a database
 * dump alone does not yield them. The caller binds each ciphertext to its row (the additional data), so one copied
 * onto another row does not decrypt. Several keys may be configured: the first encrypts, every one decrypts
 * (rotation); each ciphertext names its key by a short fingerprint.
 */
export class SecretBox {
  private readonly keys: { id: string; key: Buffer }[];

  /** Derives one AES key per configured secret (the first is the one that encrypts), separate for each `purpose`. */
  constructor(secrets: readonly string[], purpose: string) {
    this.keys = secrets.map((secret) => {
      const key = Buffer.from(crypto.hkdfSync("sha256", secret, "latchkey", purpose, 32));
      return { id: crypto.createHash("sha256").update(key).digest("hex").slice(0, 8), key };
    });
  }

  /** `v1.<key id>.<iv>.<ciphertext+tag>` (base64url parts) of the secret, bound to `context`. */
  seal(secret: Buffer, context: string): string {
    const { id, key } = this.keys[0] as { id: string; key: Buffer };
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(secret), cipher.final(), cipher.getAuthTag()]);
    return ["v1", id, iv.toString("base64url"), body.toString("base64url")].join(".");
  }

  /** The secret, or undefined when no configured key opens it (wrong key, other row, tampered). */
  open(sealed: string, context: string): Buffer | undefined {
    const [version, id, iv, body] = sealed.split(".");
    if (version !== "v1" || iv === undefined || body === undefined) return undefined;
    const entry = this.keys.find((k) => k.id === id);
    if (entry === undefined) return undefined;
    const data = Buffer.from(body, "base64url");
    if (data.length < 16) return undefined;
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", entry.key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(data.subarray(data.length - 16));
      return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
    } catch {
      return undefined;
    }
  }
}

/** The configured `secretEncryptionKey` as a list (the first encrypts), or an INVALID_CONFIG naming `field`. */
export function secretEncryptionKeys(field: string, value: unknown): string[] {
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (value === undefined)
    throw configError(field, "is required: a secret of at least 32 characters kept outside the database");
  if (list.length === 0 || !list.every((k) => typeof k === "string" && k.length >= 32))
    throw configError(field, "must be a string (or a list of strings) of at least 32 characters");
  return list as string[];
}
