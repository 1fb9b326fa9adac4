// The demo's screens: log in (password or passkey) and create an account when signed out; the
// account, its passkeys and its sessions when signed in. Every call is in api.js or passkeys.js.

import * as api from "./api.js";
import * as passkeys from "./passkeys.js";

const $ = (id) => document.getElementById(id);
const LOGGED_OUT = "You are logged out.";
// What the login screen says next time it shows (an action may explain why it shows).
let farewell = LOGGED_OUT;
const AMR = { pwd: "password", hwk: "passkey (hwk)", user: "user verification (user)" };

function say(text) {
  $("status").textContent = text;
}

function message(error) {
  if (error instanceof passkeys.PasskeyError) return error.message;
  if (error.code === "invalid_credentials") return "Wrong email or password.";
  if (error.code === "email_taken") return "An account with this email exists; log in instead.";
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
    say(`Logged in as ${me.email}.`);
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

api.onSessionChange(show);
// A new tab (or a reload) starts with no access token: the refresh cookie, if any, makes one.
api.refresh().then(
  (loggedIn) => loggedIn || show(false),
  (error) => {
    say(message(error));
    show(false);
  },
);
