// The demo's screens: log in (password or passkey) and create an account when signed out; the
// account, its passkeys and its sessions when signed in. Every call is in api.js or passkeys.js.

import * as api from "./api.js";
import * as passkeys from "./passkeys.js";

const $ = (id) => document.getElementById(id);
const LOGGED_OUT = "You are logged out.";
// What the login screen says next time it shows (an action may explain why it shows).
let farewell = LOGGED_OUT;
// What the account screen says next time it loads, instead of who is logged in.
let greeting = null;
const AMR = { pwd: "password", hwk: "passkey (hwk)", user: "user verification (user)" };

function say(text) {
  $("status").textContent = text;
}

function message(error) {
  if (error instanceof passkeys.PasskeyError) return error.message;
  if (error.code === "invalid_credentials") return "Wrong email or password.";
  if (error.code === "email_taken") return "An account with this email exists; log in instead.";
  if (error.code === "invalid_token" && error.status === 400) {
    return "This link is used, expired or unknown. Ask for a new one.";
  }
  if (error.code === "reauthentication_required") {
    return "For this, log in again first (your last login is too long ago).";
  }
  if (error.code === "invalid_request" && error.details.length > 0) {
    return error.details.map((detail) => `${detail.field}: ${detail.message}`).join("; ");
  }
  return error.message;
}

/** Run `action` for `button`, showing its failure in `errorId`'s alert. */
async function attempt(button, errorId, action) {
  $(errorId).textContent = "";
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    $(errorId).textContent = message(error);
  } finally {
    button.disabled = false;
  }
}

function show(loggedIn) {
  $("new-password").hidden = true;
  $("signed-in").hidden = !loggedIn;
  $("signed-out").hidden = loggedIn;
  $(loggedIn ? "account-title" : "login-title").focus();
  if (loggedIn) {
    loadAccount();
  } else {
    say(farewell);
    farewell = LOGGED_OUT;
  }
}

function row(text, buttonLabel, onClick) {
  const item = document.createElement("li");
  const label = document.createElement("span");
  label.textContent = text;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = buttonLabel;
  button.setAttribute("aria-label", `${buttonLabel}: ${text}`);
  button.addEventListener("click", () => onClick(button));
  item.append(label);
  if (buttonLabel) item.append(button);
  return item;
}

/** A time from the service (seconds since the epoch) or from Corbado (`yyyy-MM-ddTHH:mm:ss`,
 * UTC without a zone). */
function when(time) {
  return new Date(typeof time === "number" ? time * 1000 : `${time}Z`).toLocaleString();
}

async function loadAccount() {
  const claims = api.claims();
  $("me-amr").textContent = (claims?.amr ?? []).map((name) => AMR[name] ?? name).join(", ");
  await Promise.all([loadMe(), loadPasskeys(), loadSessions()]);
}

async function loadMe() {
  try {
    const me = await api.authorized("GET", "/auth/me");
    $("me-name").textContent = me.displayName;
    $("me-email").textContent = me.email;
    $("me-verified").textContent = me.emailVerified ? "confirmed" : "not confirmed";
    $("verify-email").hidden = me.emailVerified;
    say(greeting ?? `Logged in as ${me.email}.`);
    greeting = null;
  } catch (error) {
    say(message(error));
  }
}

async function loadPasskeys() {
  $("passkeys-error").textContent = "";
  try {
    const list = await passkeys.listPasskeys();
    $("passkeys").replaceChildren(
      ...list.map((passkey) =>
        row(`Passkey ${passkey.id}, added ${when(passkey.created)}`, "Delete", (button) =>
          attempt(button, "passkeys-error", async () => {
            const ended = await passkeys.deletePasskey(passkey.id);
            say("Passkey deleted.");
            if (ended > 0) {
              farewell = "Passkey deleted. The sessions it had opened have ended, this one too.";
              await Promise.all([loadPasskeys(), loadSessions()]);
              farewell = LOGGED_OUT;
            } else {
              await loadPasskeys();
            }
          }),
        ),
      ),
    );
    if (list.length === 0) $("passkeys").replaceChildren(row("No passkeys yet.", null, null));
  } catch (error) {
    $("passkeys-error").textContent = message(error);
  }
}

async function loadSessions() {
  $("sessions-error").textContent = "";
  try {
    const { sessions } = await api.authorized("GET", "/auth/sessions");
    $("sessions").replaceChildren(
      ...sessions.map((session) => {
        const what = `${session.method} login, ${when(session.createdAt)}`;
        const label = session.current ? `This session: ${what}` : `Session: ${what}`;
        return row(label, session.current ? "Log out" : "End", (button) =>
          session.current
            ? logOut(button)
            : attempt(button, "sessions-error", async () => {
                await api.authorized("DELETE", `/auth/sessions/${session.sessionId}`);
                await loadSessions();
              }),
        );
      }),
    );
  } catch (error) {
    $("sessions-error").textContent = message(error);
  }
}

function logOut(button) {
  return attempt(button, "sessions-error", api.logout);
}

function loginEmail() {
  return $("login-email").value.trim().toLowerCase();
}

$("login-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const errors = [];
  if (!loginEmail()) errors.push("Enter your email.");
  if (!$("login-password").value) errors.push("Enter your password.");
  if (errors.length > 0) {
    $("login-error").textContent = errors.join(" ");
    return;
  }
  attempt($("password-login"), "login-error", async () => {
    await api.login(loginEmail(), $("login-password").value);
    $("login-password").value = "";
  });
});

$("passkey-login").addEventListener("click", () => {
  if (!loginEmail()) {
    $("login-error").textContent = "Enter your email, then choose your passkey.";
    $("login-email").focus();
    return;
  }
  attempt($("passkey-login"), "login-error", () => passkeys.logInWithPasskey(loginEmail()));
});

$("register-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const form = $("register-form");
  if (!form.checkValidity()) {
    const invalid = form.querySelector(":invalid");
    $("register-error").textContent =
      `${form.querySelector(`label[for="${invalid.id}"]`).firstChild.textContent.trim()}: ` +
      invalid.validationMessage;
    invalid.focus();
    return;
  }
  attempt(form.querySelector("button"), "register-error", async () => {
    const user = await api.register(
      $("register-email").value.trim(),
      $("register-password").value,
      $("register-name").value.trim(),
    );
    form.reset();
    $("login-email").value = user.email;
    $("login-password").focus();
    say(`Account created for ${user.email}. Log in with your password.`);
  });
});

$("logout").addEventListener("click", (event) => logOut(event.currentTarget));

$("add-passkey").addEventListener("click", (event) =>
  attempt(event.currentTarget, "passkeys-error", async () => {
    await passkeys.addPasskey();
    say("Passkey added: you can log in with it next time.");
    await loadPasskeys();
  }),
);

$("verify-email").addEventListener("click", (event) =>
  attempt(event.currentTarget, "verify-error", async () => {
    await api.requestVerification();
    say("A confirmation link is on its way: see Mail below.");
    await loadOutbox();
  }),
);

$("forgot-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const email = $("forgot-email").value.trim();
  if (!email) {
    $("forgot-error").textContent = "Enter your email.";
    return;
  }
  attempt($("forgot-form").querySelector("button"), "forgot-error", async () => {
    await api.requestRecovery(email);
    say(`If an account has ${email}, a recovery link is on its way: see Mail below.`);
    await loadOutbox();
  });
});

let recoveryToken = null;

$("new-password-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("new-password-input");
  if (!input.checkValidity()) {
    $("new-password-error").textContent = `New password: ${input.validationMessage}`;
    return;
  }
  attempt($("new-password-form").querySelector("button"), "new-password-error", async () => {
    greeting = "Password changed. Every other session has ended.";
    try {
      await api.completeRecovery(recoveryToken, input.value);
    } catch (error) {
      greeting = null;
      throw error;
    }
    input.value = "";
    recoveryToken = null;
  });
});

/** The dev outbox's mails, each with a button that opens its link. */
async function loadOutbox() {
  try {
    const mails = await api.outbox();
    $("outbox-mails").replaceChildren(
      ...mails.map((mail) => {
        const what = mail.purpose === "recover" ? "Recovery link" : "Confirmation link";
        return row(`${what} for ${mail.to}`, "Open link", () => {
          window.location.assign(mail.link);
        });
      }),
    );
    if (mails.length === 0) $("outbox-mails").replaceChildren(row("No mail yet.", null, null));
  } catch {
    $("outbox").hidden = true;
  }
}

$("outbox-refresh").addEventListener("click", loadOutbox);

/** A mailed link opens this page with `#verify=<token>` or `#recover=<token>`. */
async function followLink() {
  const [purpose, token] = window.location.hash.slice(1).split("=");
  if (!token || !["verify", "recover"].includes(purpose)) return;
  // The token must not stay in the address bar or the history.
  history.replaceState(null, "", window.location.pathname);
  if (purpose === "verify") {
    try {
      await api.verifyEmail(token);
      if (api.hasSession()) await loadMe();
      say("Your email address is confirmed.");
    } catch (error) {
      say(message(error));
    }
    return;
  }
  recoveryToken = token;
  $("signed-in").hidden = true;
  $("signed-out").hidden = true;
  $("new-password").hidden = false;
  $("new-password-title").focus();
  say("Choose a new password for your account.");
}

window.addEventListener("hashchange", followLink);
loadOutbox();

api.onSessionChange(show);
// A new tab (or a reload) starts with no access token: the refresh cookie, if any, makes one.
api.refresh().then(
  (loggedIn) => loggedIn || show(false),
  (error) => {
    say(message(error));
    show(false);
  },
).then(followLink);
