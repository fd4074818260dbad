import { escapeHtml } from "../../lib/email/smtp";
import type { EmailDeliveryInterface, TypeNormalisedInput } from "./types";

/**
 * The default delivery: SMTP when configured. Without SMTP, development logs the link so a developer can follow it;
 * production logs only that no email was sent (the link holds a secret).
 */
export function makeEmailDelivery(config: TypeNormalisedInput, appName: string): EmailDeliveryInterface {
  return {
    async sendEmail({ user, passwordResetLink }) {
      if (config.smtpSender === undefined) {
        if (process.env.NODE_ENV === "production") {
          console.warn("[latchkey] password reset requested but no SMTP settings or emailDelivery override: no email sent");
        } else {
          console.warn(`[latchkey] (development, no SMTP configured) password reset link for ${user.email}: ${passwordResetLink}`);
        }
        return;
      }
      await config.smtpSender({
        to: user.email,
        subject: `Reset your ${appName} password`,
        text: `Someone asked to reset the password of your ${appName} account.\n\nTo choose a new password, open:\n${passwordResetLink}\n\nThe link works once and expires in ${Math.round(config.passwordResetTokenValidityMs / 60_000)} minutes. If it was not you, ignore this email.\n`,
        html: `<p>Someone asked to reset the password of your ${escapeHtml(appName)} account.</p><p><a href="${escapeHtml(passwordResetLink)}">Choose a new password</a></p><p>The link works once and expires in ${Math.round(config.passwordResetTokenValidityMs / 60_000)} minutes. If it was not you, ignore this email.</p>`,
      });
    },
  };
}
