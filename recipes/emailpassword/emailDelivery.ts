import { sendOrLogLink } from "../../lib/email/delivery";
import { escapeHtml } from "../../lib/email/smtp";
import type { EmailDeliveryInterface, TypeNormalisedInput } from "./types";

/** The default delivery of password reset emails: SMTP when configured, else the link in the development log. */
export function makeEmailDelivery(config: TypeNormalisedInput, appName: string): EmailDeliveryInterface {
  const minutes = Math.round(config.passwordResetTokenValidityMs / 60_000);
  return {
    sendEmail: ({ user, passwordResetLink: link }) =>
      sendOrLogLink(
        config.smtpSender,
        "password reset",
        {
          to: user.email,
          subject: `Reset your ${appName} password`,
          text: `Someone asked to reset the password of your ${appName} account.\n\nTo choose a new password, open:\n${link}\n\nThe link works once and expires in ${minutes} minutes. If it was not you, ignore this email.\n`,
          html: `<p>Someone asked to reset the password of your ${escapeHtml(appName)} account.</p><p><a href="${escapeHtml(link)}">Choose a new password</a></p><p>The link works once and expires in ${minutes} minutes. If it was not you, ignore this email.</p>`,
        },
        link,
      ),
  };
}
