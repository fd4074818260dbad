import { escapeHtml } from "../../lib/email/smtp";
import type {
  EmailDeliveryInterface,
  PasswordlessEmailInput,
  SmsDeliveryInterface,
  TypeNormalisedInput,
} from "./types";

// Without a transport, development logs the message (a developer signs in from the log); production logs only that
// nothing was sent, since the message holds a secret.
function logUnsent(channel: string, to: string, input: { userInputCode?: string; urlWithLinkCode?: string }): void {
  if (process.env.NODE_ENV === "production") {
    console.warn(`[latchkey] passwordless ${channel} requested but no ${channel} delivery is configured: none sent`);
    return;
  }
  const parts = [
    ...(input.userInputCode !== undefined ? [`code ${input.userInputCode}`] : []),
    ...(input.urlWithLinkCode !== undefined ? [`link ${input.urlWithLinkCode}`] : []),
  ];
  console.warn(
    `[latchkey] (development, no ${channel} delivery configured) passwordless login for ${to}: ${parts.join(", ")}`,
  );
}

/** The login email's subject, text and HTML: the code, the link, or both, as the flow type says. */
export function loginEmailContent(
  input: PasswordlessEmailInput,
  appName: string,
): { subject: string; text: string; html: string } {
  const minutes = Math.round(input.codeLifetime / 60_000);
  const expiry = `It works once and expires in ${minutes} minutes. If you did not ask to sign in, ignore this email.`;
  const code = input.userInputCode;
  const link = input.urlWithLinkCode;
  const textParts = [
    ...(code !== undefined ? [`Your ${appName} sign-in code is ${code}`] : []),
    ...(link !== undefined ? [`${code !== undefined ? "Or open" : "To sign in, open"}:\n${link}`] : []),
  ];
  const htmlParts = [
    ...(code !== undefined
      ? [`<p>Your ${escapeHtml(appName)} sign-in code is <strong>${escapeHtml(code)}</strong></p>`]
      : []),
    ...(link !== undefined ? [`<p><a href="${escapeHtml(link)}">Sign in to ${escapeHtml(appName)}</a></p>`] : []),
  ];
  return {
    subject: code !== undefined ? `Your ${appName} sign-in code: ${code}` : `Sign in to ${appName}`,
    text: `${textParts.join("\n\n")}\n\n${expiry}\n`,
    html: `${htmlParts.join("")}<p>${escapeHtml(expiry)}</p>`,
  };
}

/** The default delivery of login emails: SMTP when configured, else the development log. */
export function makeEmailDelivery(config: TypeNormalisedInput, appName: string): EmailDeliveryInterface {
  return {
    sendEmail: async (input) => {
      if (config.smtpSender === undefined) return logUnsent("email", input.email, input);
      await config.smtpSender({ to: input.email, ...loginEmailContent(input, appName) });
    },
  };
}

/** The default delivery of login SMS: the app's service when configured, else the development log. */
export function makeSmsDelivery(config: TypeNormalisedInput): SmsDeliveryInterface {
  return {
    sendSms: async (input) => {
      if (config.smsService === undefined) return logUnsent("SMS", input.phoneNumber, input);
      await config.smsService.sendSms(input);
    },
  };
}
