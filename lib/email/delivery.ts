import { redact } from "../db/errors";
import type { EmailContent, EmailSender } from "./smtp";

/**
 * Sends an email by SMTP when a sender is configured. Without one, development logs the link (so a developer can
 * follow it) and production logs only that nothing was sent, since the link holds a secret.
 */
export async function sendOrLogLink(
  sender: EmailSender | undefined,
  purpose: string,
  email: EmailContent,
  link: string,
): Promise<void> {
  if (sender !== undefined) {
    await sender(email);
    return;
  }
  if (process.env.NODE_ENV === "production") {
    console.warn(`[latchkey] ${purpose} requested but no SMTP settings or emailDelivery override: no email sent`);
  } else {
    console.warn(`[latchkey] (development, no SMTP configured) ${purpose} link for ${email.to}: ${link}`);
  }
}

/**
 * Starts sending without waiting, so an answer's content and timing never depend on the email (nor tell which
 * addresses have accounts); a failure is logged with the recipient and reason, never the link: `secrets` (the link,
 * the token) are scrubbed from the reason, since a transport or an override may put them in its error message.
 */
export function sendInBackground(
  send: () => Promise<void>,
  purpose: string,
  to: string,
  secrets: readonly string[] = [],
): void {
  send().catch((err: unknown) => {
    console.error(
      `[latchkey] ${purpose} email to ${to} failed: ${err instanceof Error ? redact(err.message, secrets) : "unknown error"}`,
    );
  });
}
