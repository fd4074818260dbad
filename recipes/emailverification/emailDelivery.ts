import { escapeHtml } from "../../lib/email/smtp";
import type { EmailDeliveryInterface, TypeNormalisedInput } from "./types";

/** The default delivery: SMTP when configured; without it, development logs the link, production only a warning. */
export function makeEmailDelivery(config: TypeNormalisedInput, appName: string): EmailDeliveryInterface {
  return {
    async sendEmail({ user, emailVerifyLink }) {
      if (config.smtpSender === undefined) {
        if (process.env.NODE_ENV === "production") {
          console.warn("[latchkey] email verification requested but no SMTP settings or emailDelivery override: no email sent");
        } else {
          console.warn(`[latchkey] (development, no SMTP configured) email verification link for ${user.email}: ${emailVerifyLink}`);
        }
        return;
      }
      await config.smtpSender({
        to: user.email,
        subject: `Verify your email for ${appName}`,
        text: `Please confirm that this is your email address for ${appName}:\n${emailVerifyLink}\n\nIf you did not sign up, ignore this email.\n`,
        html: `<p>Please confirm that this is your email address for ${escapeHtml(appName)}.</p><p><a href="${escapeHtml(emailVerifyLink)}">Verify my email</a></p><p>If you did not sign up, ignore this email.</p>`,
      });
    },
  };
}
