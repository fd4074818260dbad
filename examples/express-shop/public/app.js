/* global supertokens, supertokensSession, supertokensEmailPassword, supertokensEmailVerification, supertokensThirdParty, supertokensPasswordless, supertokensTOTP, supertokensMultiFactorAuth */
"use strict";
const params = new URLSearchParams(location.search);
const mode = params.get("mode") === "header" ? "header" : "cookie";
const { apiDomain, websiteDomain } = window.SHOP_CONFIG;
document.getElementById("mode").textContent = mode;
document.getElementById("outbox-link").href = `${apiDomain}/dev/outbox`;
for (const back of document.querySelectorAll("a.back")) back.href = `/?mode=${mode}`;

supertokens.init({
  appInfo: { appName: "Shop", apiDomain, apiBasePath: "/auth" },
  recipeList: [
    supertokensSession.init({ tokenTransferMethod: mode }),
    supertokensEmailPassword.init(),
    supertokensEmailVerification.init({ mode: "OPTIONAL" }),
    supertokensThirdParty.init(),
    supertokensPasswordless.init(),
    supertokensTOTP.init(),
    supertokensMultiFactorAuth.init(),
  ],
});

const $ = (id) => document.getElementById(id);
const say = (text) => ($("message").textContent = text);
const fields = () => [
  { id: "email", value: $("email").value },
  { id: "password", value: $("password").value },
];
const firstError = (response) => response.formFields?.map((f) => `${f.id}: ${f.error}`).join("; ");
// The SDK throws the raw response for any status >= 300; a 429 carries Retry-After in seconds.
const explain = (err) => {
  if (err?.status === 429) {
    const minutes = Math.max(1, Math.ceil(Number(err.headers?.get("Retry-After") ?? 60) / 60));
    return `Too many attempts: try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  return err?.message ?? "Something went wrong.";
};

async function render() {
  const onReset = location.pathname.endsWith("/reset-password");
  const onVerify = location.pathname.endsWith("/verify-email");
  const onCallback = location.pathname.endsWith("/callback/demo");
  if (location.pathname.endsWith("/auth/verify")) return finishCodeSignIn();
  $("reset").hidden = !onReset;
  $("verify").hidden = !onVerify;
  $("callback").hidden = !onCallback;
  if (onReset || onVerify) {
    $("signed-in").hidden = $("signed-out").hidden = true;
    if (onVerify) await verifyFromLink();
    return;
  }
  if (onCallback) {
    $("signed-in").hidden = $("signed-out").hidden = true;
    await finishProviderSignIn();
    return;
  }
  const exists = await supertokensSession.doesSessionExist();
  // MultiFactorAuth's claim: { c: { factor: completed-at }, v: requirements met }. Not met: ask for the second factor.
  const needsSecondFactor = exists && (await supertokensSession.getAccessTokenPayloadSecurely())["st-mfa"]?.v === false;
  $("second-factor").hidden = !needsSecondFactor;
  $("signed-in").hidden = !exists || needsSecondFactor;
  $("signed-out").hidden = exists;
  if (needsSecondFactor) {
    document.body.dataset.state = "second-factor";
    return;
  }
  if (exists) {
    $("user-id").textContent = await supertokensSession.getUserId();
    const payload = await supertokensSession.getAccessTokenPayloadSecurely();
    $("role").textContent = payload.role ?? "(none)";
    $("user-email").textContent = payload.email ?? "(none)";
    // The email verification claim, as Latchkey keeps it in the payload: { v: verified, t: when it was read }.
    const verified = payload["st-ev"]?.v === true;
    $("verified").textContent = verified ? "yes" : "no";
    $("send-verification").hidden = verified;
    // The UserRoles claim, the same { v, t } shape: { v: ["admin"], t: ... }.
    $("roles").textContent = (payload["st-role"]?.v ?? []).join(", ") || "(none)";
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
    say(explain(err));
  }
  await render();
});

$("forgot").addEventListener("click", async () => {
  let response;
  try {
    response = await supertokensEmailPassword.sendPasswordResetEmail({
      formFields: [{ id: "email", value: $("email").value }],
    });
  } catch (err) {
    say(explain(err));
    return;
  }
  say(
    response.status === "OK"
      ? "If that email has an account, a reset link is on its way."
      : (firstError(response) ?? response.status),
  );
  $("outbox").hidden = false;
});

async function verifyFromLink() {
  // The SDK reads the token from the link and posts it with this browser's session, which gets the new claim.
  const response = await supertokensEmailVerification.verifyEmail();
  say(response.status === "OK" ? "Email verified." : "That verification link is invalid or used.");
  document.body.dataset.verify = response.status;
}

$("demo-provider").addEventListener("click", async () => {
  // The SDK asks Latchkey for the provider's URL (with a PKCE challenge), keeps a state in sessionStorage, and
  // checks it when the provider sends the browser back.
  const url = await supertokensThirdParty.getAuthorisationURLWithQueryParamsAndSetState({
    thirdPartyId: "demo",
    frontendRedirectURI: `${websiteDomain}/auth/callback/demo`,
  });
  location.assign(url);
});

async function finishProviderSignIn() {
  try {
    const response = await supertokensThirdParty.signInAndUp();
    document.body.dataset.callback = response.status;
    if (response.status !== "OK") {
      say(
        response.status === "NO_EMAIL_GIVEN_BY_PROVIDER"
          ? "The provider gave no email."
          : (response.reason ?? response.message ?? response.status),
      );
      return;
    }
    history.replaceState(null, "", `/?mode=${mode}`);
    say(response.createdNewRecipeUser ? "Signed up with the demo provider." : "Signed in with the demo provider.");
    $("callback").hidden = true;
    await render();
  } catch (err) {
    // A state that does not match this browser's (a forged or replayed redirect) ends here, before any request.
    document.body.dataset.callback = "error";
    say(err.message ?? "Sign-in failed.");
  }
}

$("send-verification").addEventListener("click", async () => {
  let response;
  try {
    response = await supertokensEmailVerification.sendVerificationEmail();
  } catch (err) {
    say(explain(err));
    return;
  }
  say(response.status === "OK" ? "Verification email sent." : response.status);
  $("outbox").hidden = false;
});

$("reset-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await supertokensEmailPassword.submitNewPassword({
    formFields: [{ id: "password", value: $("new-password").value }],
  });
  say(
    response.status === "OK"
      ? "Password changed: sign in with it."
      : response.status === "FIELD_ERROR"
        ? firstError(response)
        : "That reset link is invalid or used.",
  );
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

$("admin-api").addEventListener("click", async () => {
  // 403 { message: "invalid claim", claimValidationErrors } unless the session's st-role includes "admin".
  const res = await fetch(`${apiDomain}/api/admin`, { credentials: "include" });
  $("api-result").textContent = `${res.status} ${await res.text()}`;
  document.body.dataset.admin = String(res.status);
});

for (const id of ["sign-out", "second-factor-sign-out"]) {
  $(id).addEventListener("click", async () => {
    await supertokensSession.signOut();
    say("Signed out.");
    await render();
  });
}

// The second factor: a code of the user's authenticator completes it in this same session (a new access token).
$("second-factor-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await supertokensTOTP.verifyCode({ totp: $("totp-code").value });
  $("totp-code").value = "";
  if (response.status === "INVALID_TOTP_ERROR")
    say(`Wrong code (${response.currentNumberOfFailedAttempts} of ${response.maxNumberOfFailedAttempts} tries).`);
  else if (response.status === "LIMIT_REACHED_ERROR")
    say(`Too many wrong codes: try again in ${Math.ceil(response.retryAfterMs / 60000)} minutes.`);
  else say(response.status === "OK" ? "Signed in with two factors." : response.status);
  document.body.dataset.totp = response.status;
  await render();
});

// "Set up two-factor": a new device's key, then its first code verifies it; from the next sign-in on, a code is asked.
$("setup-2fa").addEventListener("click", async () => {
  try {
    const response = await supertokensTOTP.createDevice({ deviceName: `Authenticator ${new Date().toISOString()}` });
    if (response.status !== "OK") return say(response.status);
    $("totp-secret").textContent = response.secret;
    $("totp-uri").textContent = response.qrCodeString;
    $("setup-2fa-form").dataset.device = response.deviceName;
    $("setup-2fa-form").hidden = false;
  } catch (err) {
    say(explain(err));
  }
});

$("setup-2fa-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await supertokensTOTP.verifyDevice({
    deviceName: $("setup-2fa-form").dataset.device,
    totp: $("setup-code").value,
  });
  $("setup-code").value = "";
  if (response.status === "OK") {
    $("setup-2fa-form").hidden = true;
    say("Two-factor sign-in is on.");
  } else if (response.status === "INVALID_TOTP_ERROR") say("Wrong code: try the next one.");
  else say(response.status);
  document.body.dataset.setup = response.status;
});

window.shopReady = render();

// "Sign in with a code": the SDK keeps the flow's deviceId in this browser; the email carries a code and a link.
$("code-start").addEventListener("click", async () => {
  try {
    const response = await supertokensPasswordless.createCode({ email: $("email").value });
    say(response.status === "OK" ? "A code and a link are on their way." : (response.message ?? response.status));
    $("outbox").hidden = false;
    document.body.dataset.code = response.status;
  } catch (err) {
    say(err.message ?? "Something went wrong.");
  }
});

$("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  void finishCodeSignIn($("code").value);
});

async function finishCodeSignIn(userInputCode) {
  // Without a typed code the SDK reads the magic link (preAuthSessionId in the query, the link code in the hash).
  const response = await supertokensPasswordless.consumeCode(
    userInputCode === undefined ? undefined : { userInputCode },
  );
  document.body.dataset.consume = response.status;
  if (userInputCode === undefined) history.replaceState(null, "", `/?mode=${mode}`);
  if (response.status === "OK") {
    await supertokensPasswordless.clearLoginAttemptInfo();
    say(response.createdNewRecipeUser ? "Signed up with a code." : "Signed in with a code.");
  } else if (response.status === "INCORRECT_USER_INPUT_CODE_ERROR") {
    say(`Wrong code (${response.failedCodeInputAttemptCount} of ${response.maximumCodeInputAttempts} tries).`);
  } else {
    say(
      response.status === "RESTART_FLOW_ERROR"
        ? "That code or link is no longer valid: ask for a new one."
        : response.status,
    );
  }
  await render();
}
