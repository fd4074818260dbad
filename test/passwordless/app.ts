import type { RecipeListFunction } from "../../lib/recipeModule";
import Passwordless from "../../recipes/passwordless/index";
import type { PasswordlessEmailInput, PasswordlessSmsInput, TypeInput } from "../../recipes/passwordless/types";
import type { TypeInput as SessionInput } from "../../recipes/session/types";
import { startSessionApp, type SessionTestApp } from "../helpers/sessionApp";

/** A session app with the passwordless recipe whose messages land in an outbox instead of going out. */
export interface PasswordlessTestApp extends SessionTestApp {
  emails: PasswordlessEmailInput[];
  sms: PasswordlessSmsInput[];
  /** The next message to `to` (waits for the background send). */
  nextMessage(to: string): Promise<PasswordlessEmailInput | PasswordlessSmsInput>;
  /** POST {apiBasePath}<path> with rid passwordless. */
  post(path: string, body: unknown): ReturnType<SessionTestApp["client"]["request"]>;
}

/** Starts the app; `config` is merged over EMAIL_OR_PHONE with both code and link. */
export async function startPasswordlessApp(
  config: Partial<TypeInput> = {},
  options: { session?: SessionInput; extraRecipes?: RecipeListFunction[] } = {},
): Promise<PasswordlessTestApp> {
  const emails: PasswordlessEmailInput[] = [];
  const sms: PasswordlessSmsInput[] = [];
  const app = await startSessionApp(options.session ?? {}, {
    extraRecipes: [
      Passwordless.init({
        contactMethod: "EMAIL_OR_PHONE",
        flowType: "USER_INPUT_CODE_AND_MAGIC_LINK",
        emailDelivery: {
          override: (o) => ({
            ...o,
            sendEmail: async (input) => {
              emails.push(input);
            },
          }),
        },
        smsDelivery: {
          service: {
            sendSms: async (input) => {
              sms.push(input);
            },
          },
        },
        ...config,
      }),
      ...(options.extraRecipes ?? []),
    ],
  });
  app.client.defaultHeaders = { rid: "passwordless", "st-auth-mode": "cookie" };
  const seen = new Set<unknown>();
  return {
    ...app,
    emails,
    sms,
    async nextMessage(to) {
      const deadline = Date.now() + 5000;
      for (;;) {
        const found = [...emails, ...sms].find(
          (m) => !seen.has(m) && ("email" in m ? m.email === to : m.phoneNumber === to),
        );
        if (found !== undefined) {
          seen.add(found);
          return found;
        }
        if (Date.now() > deadline) throw new Error(`no message to ${to}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    post: (path, body) => app.client.request("POST", `/auth${path}`, { body }),
  };
}
