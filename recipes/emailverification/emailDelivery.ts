import { sendOrLogLink } from "../../lib/email/delivery";
import { escapeHtml } from "../../lib/email/smtp";
import type { EmailDeliveryInterface, TypeNormalisedInput } from "./types";

/** The default delivery of verification emails: SMTP when configured, else the link in the development log. */
export function makeEmailDelivery(config: TypeNormalisedInput, appName: string): EmailDeliveryInterface {
  return {
    sendEmail: ({ user, emailVerifyLink: link }) =>
      sendOrLogLink(
        config.smtpSender,
        "email verification",
        {
          to: user.email,
          subject: `Verify your email for ${appName}`,
          text: `Please confirm that this is your email address for ${appName}:\n${link}\n\nIf you did not sign up, ignore this email.\n`,
          html: `<p>Please confirm that this is your email address for ${escapeHtml(appName)}.</p><p><a href="${escapeHtml(link)}">Verify my email</a></p><p>If you did not sign up, ignore this email.</p>`,
        },
        link,
      ),
  };
}
