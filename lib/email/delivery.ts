import type { EmailContent, EmailSender } from "./smtp";

/**
 * Sends an email by SMTP when a sender is configured. Without one, development logs the link (so a developer can
 * follow it) and production logs only that nothing was sent, since the link holds a secret.
 */
export async function sendOrLogLink(sender: EmailSender | undefined, purpose: string, email: EmailContent, link: string): Promise<void> {
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
