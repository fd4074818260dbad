/* global supertokens, supertokensSession, supertokensEmailPassword, supertokensEmailVerification */
"use strict";
const params = new URLSearchParams(location.search);
const mode = params.get("mode") === "header" ? "header" : "cookie";
const { apiDomain } = window.SHOP_CONFIG;
document.getElementById("mode").textContent = mode;
document.getElementById("outbox-link").href = `${apiDomain}/dev/outbox`;

supertokens.init({
  appInfo: { appName: "Shop", apiDomain, apiBasePath: "/auth" },
  recipeList: [
    supertokensSession.init({ tokenTransferMethod: mode }),
    supertokensEmailPassword.init(),
    supertokensEmailVerification.init({ mode: "OPTIONAL" }),
  ],
});

const $ = (id) => document.getElementById(id);
const say = (text) => ($("message").textContent = text);
const fields = () => [
  { id: "email", value: $("email").value },
  { id: "password", value: $("password").value },
];
const firstError = (response) => response.formFields?.map((f) => `${f.id}: ${f.error}`).join("; ");

async function render() {
  const onReset = location.pathname.endsWith("/reset-password");
  const onVerify = location.pathname.endsWith("/verify-email");
  $("reset").hidden = !onReset;
  $("verify").hidden = !onVerify;
  if (onReset || onVerify) {
    $("signed-in").hidden = $("signed-out").hidden = true;
    if (onVerify) await verifyFromLink();
    return;
  }
  const exists = await supertokensSession.doesSessionExist();
  $("signed-in").hidden = !exists;
  $("signed-out").hidden = exists;
  if (exists) {
    $("user-id").textContent = await supertokensSession.getUserId();
    const payload = await supertokensSession.getAccessTokenPayloadSecurely();
    $("role").textContent = payload.role ?? "(none)";
    // The email verification claim, as Latchkey keeps it in the payload: { v: verified, t: when it was read }.
    $("verified").textContent = payload["st-ev"]?.v === true ? "yes" : "no";
  }
  document.body.dataset.state = exists ? "signed-in" : "signed-out";
}

$("auth-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const action = event.submitter?.dataset.action ?? "signIn";
  try {
    const response = await supertokensEmailPassword[action]({ formFields: fields() });
    if (response.status === "OK") say(action === "signUp" ? "Signed up." : "Signed in.");
    else if (response.status === "FIELD_ERROR") say(firstError(response));
    else if (response.status === "WRONG_CREDENTIALS_ERROR") say("Wrong email or password.");
    else say(response.status);
  } catch (err) {
    say(err.message ?? "Something went wrong.");
  }
  await render();
});

$("forgot").addEventListener("click", async () => {
  const response = await supertokensEmailPassword.sendPasswordResetEmail({ formFields: [{ id: "email", value: $("email").value }] });
  say(response.status === "OK" ? "If that email has an account, a reset link is on its way." : firstError(response) ?? response.status);
  $("outbox").hidden = false;
});

async function verifyFromLink() {
  // The SDK reads the token from the link and posts it with this browser's session, which gets the new claim.
  const response = await supertokensEmailVerification.verifyEmail();
  say(response.status === "OK" ? "Email verified." : "That verification link is invalid or used.");
  document.body.dataset.verify = response.status;
}

$("send-verification").addEventListener("click", async () => {
  const response = await supertokensEmailVerification.sendVerificationEmail();
  say(response.status === "OK" ? "Verification email sent." : response.status);
  $("outbox").hidden = false;
});

$("reset-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await supertokensEmailPassword.submitNewPassword({ formFields: [{ id: "password", value: $("new-password").value }] });
  say(response.status === "OK" ? "Password changed: sign in with it." : response.status === "FIELD_ERROR" ? firstError(response) : "That reset link is invalid or used.");
  document.body.dataset.reset = response.status;
});

$("call-api").addEventListener("click", async () => {
  // The SDK adds the tokens and, on 401 "try refresh token", refreshes and retries on its own.
  const res = await fetch(`${apiDomain}/api/me`, { credentials: "include" });
  $("api-result").textContent = `${res.status} ${await res.text()}`;
  document.body.dataset.api = String(res.status);
  if (res.status === 401) say("Your session has ended: sign in again.");
  await render();
});

$("sign-out").addEventListener("click", async () => {
  await supertokensSession.signOut();
  say("Signed out.");
  await render();
});

window.shopReady = render();
