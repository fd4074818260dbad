import { isLoopback } from "../net";
import nodemailer from "nodemailer";
import { configError } from "../error";
import { assertKnownKeys, assertPlainObject, optionalBoolean, optionalInteger } from "../validate";

/** Where and as whom Latchkey sends email. */
export interface SMTPSettings {
  host: string;
  port: number;
  /** Use TLS from the start (port 465); default false (STARTTLS when offered). */
  secure?: boolean;
  auth?: { user: string; pass: string };
  from: { name: string; email: string };
}

/** One email to send. */
export interface EmailContent {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends one email; rejects on failure. */
export type EmailSender = (email: EmailContent) => Promise<void>;

/** Validates SMTP settings at init, naming the offending field. */
export function normaliseSMTPSettings(field: string, value: unknown): SMTPSettings {
  assertPlainObject(field, value);
  assertKnownKeys(field, value, ["host", "port", "secure", "auth", "from"]);
  if (typeof value.host !== "string" || value.host === "") throw configError(`${field}.host`, "must be a host name");
  const port = optionalInteger(`${field}.port`, value.port, 587, 1, 65535);
  const secure = optionalBoolean(`${field}.secure`, value.secure, false);
  const from = value.from as { name?: unknown; email?: unknown } | undefined;
  if (typeof from !== "object" || from === null || typeof from.email !== "string" || typeof from.name !== "string") {
    throw configError(`${field}.from`, "must be { name, email }");
  }
  const auth = value.auth as { user?: unknown; pass?: unknown } | undefined;
  if (auth !== undefined && (typeof auth.user !== "string" || typeof auth.pass !== "string")) {
    throw configError(`${field}.auth`, "must be { user, pass }");
  }
  return {
    host: value.host,
    port,
    secure,
    from: { name: from.name, email: from.email },
    ...(auth !== undefined ? { auth: { user: auth.user as string, pass: auth.pass as string } } : {}),
  };
}

/** An EmailSender over SMTP (nodemailer), one pooled transport per sender. */
export function createSMTPSender(settings: SMTPSettings): EmailSender {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure ?? false,
    ...(settings.auth !== undefined ? { auth: settings.auth } : {}),
    // Loopback test servers and internal relays often have self-signed certificates; STARTTLS stays opportunistic.
    tls: { rejectUnauthorized: !isLoopback(settings.host) },
  });
  return async (email) => {
    await transport.sendMail({
      from: { name: settings.from.name, address: settings.from.email },
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
    });
  };
}

/** Escapes text for HTML email bodies. */
export function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
}
