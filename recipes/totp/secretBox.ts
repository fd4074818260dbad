import crypto from "node:crypto";

/**
 * Encrypts TOTP secrets at rest with AES-256-GCM under a key derived (HKDF-SHA256) from the app's configured
 * `secretEncryptionKey`, so a database dump alone does not yield them. The row's owner and device name are the
 * additional data, so a ciphertext copied onto another user's row does not decrypt. Several keys may be configured:
 * the first encrypts, every one decrypts (rotation); each ciphertext names its key by a short fingerprint.
 */
export class SecretBox {
  private readonly keys: { id: string; key: Buffer }[];

  /** Derives one AES key per configured secret (the first is the one that encrypts). */
  constructor(secrets: readonly string[]) {
    this.keys = secrets.map((secret) => {
      const key = Buffer.from(crypto.hkdfSync("sha256", secret, "latchkey", "latchkey totp secret v1", 32));
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
