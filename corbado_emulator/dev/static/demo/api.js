// connect-backend's public API as a browser frontend on the same site uses it: the browser
// transport (decision 0012). The refresh token lives in the HttpOnly cookie, which this code
// never sees; the access token lives in this module's memory only, never in storage.

const TRANSPORT = { "Session-Transport": "cookie" };
// One refresh at a time across every tab of this origin (Web Locks API): a tab that wants to
// refresh while another does waits, then refreshes with the cookie the other one left.
const REFRESH_LOCK = "connect-backend-refresh";
// Refresh this long before the access token expires.
const EARLY_S = 30;

let accessToken = null;
let refreshTimer = null;
let inFlight = null;
const listeners = new Set();

/** A refusal from the service: its HTTP status, its `error` code and its `message`. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `The service answered with status ${status}.`);
    this.status = status;
    this.code = body?.error ?? "unknown";
    this.details = body?.details ?? [];
  }
}

/** Call `listener(loggedIn)` whenever this tab's session starts or ends (not on a refresh). */
export function onSessionChange(listener) {
  listeners.add(listener);
}

/** Whether this tab holds an access token. */
export function hasSession() {
  return accessToken !== null;
}

/** The access token's claims (what a page may show; the service verifies the token itself). */
export function claims() {
  if (accessToken === null) return null;
  const payload = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload));
}

export async function send(method, path, { body, headers = {} } = {}) {
  const init = { method, headers: { ...headers }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, { error: "network", message: "The service cannot be reached." });
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

function adopt(pair) {
  const started = accessToken === null;
  accessToken = pair.accessToken;
  clearTimeout(refreshTimer);
  const delayS = Math.max(pair.expiresIn - EARLY_S, 1);
  refreshTimer = setTimeout(() => refresh().catch(() => {}), delayS * 1000);
  if (started) listeners.forEach((listener) => listener(true));
}

function forget() {
  const had = accessToken !== null;
  accessToken = null;
  clearTimeout(refreshTimer);
  if (had) listeners.forEach((listener) => listener(false));
}

function bearer() {
  return { Authorization: `Bearer ${accessToken}` };
}

export function register(email, password, displayName) {
  return send("POST", "/auth/register", { body: { email, password, displayName } });
}

export async function login(email, password) {
  adopt(await send("POST", "/auth/login", { body: { email, password }, headers: TRANSPORT }));
}

export async function completeLogin(signedPasskeyData) {
  adopt(
    await send("POST", "/auth/completeLogin", { body: { signedPasskeyData }, headers: TRANSPORT }),
  );
}

async function refreshNow() {
  try {
    adopt(await send("POST", "/auth/refresh", { headers: TRANSPORT }));
    return true;
  } catch (error) {
    if (error.status !== 401) throw error;
    forget();
    return false;
  }
}

/** Trade the refresh cookie for a new access token; false when the session is over. One
 * refresh in flight per tab, shared by every caller, and one at a time across tabs. */
export function refresh() {
  if (inFlight === null) {
    // Without Web Locks (an insecure context: not https, not localhost) tabs may race; the
    // service's grace window (decision 0007) makes racing tabs converge on one cookie.
    const serialised = navigator.locks
      ? navigator.locks.request(REFRESH_LOCK, refreshNow)
      : refreshNow();
    inFlight = serialised.finally(() => {
      inFlight = null;
    });
  }
  return inFlight;
}

/** A call with the access token; an expired one is refreshed once, silently, and the call
 * made again. */
export async function authorized(method, path, body) {
  if (accessToken === null && !(await refresh())) {
    throw new ApiError(401, { error: "invalid_token", message: "You are logged out." });
  }
  try {
    return await send(method, path, { body, headers: bearer() });
  } catch (error) {
    if (error.status !== 401 || error.code !== "invalid_token" || !(await refresh())) {
      throw error;
    }
    return send(method, path, { body, headers: bearer() });
  }
}

export async function logout() {
  try {
    await send("POST", "/auth/logout", { headers: { ...TRANSPORT, ...bearer() } });
  } finally {
    forget();
  }
}

/** A single-use connect token for one Corbado Connect operation. */
export async function connectToken(connectTokenType) {
  const answer = await authorized("POST", "/auth/createConnectToken", { connectTokenType });
  return answer.connectToken;
}

/** Ask for a link that proves the caller's address (mailed after the answer). */
export function requestVerification() {
  return authorized("POST", "/auth/email/verification");
}

/** Prove an address with the token of its link. */
export function verifyEmail(token) {
  return send("POST", "/auth/email/verify", { body: { token } });
}

/** Ask for a recovery link (the answer is the same whether or not the account exists). */
export function requestRecovery(email) {
  return send("POST", "/auth/recovery", { body: { email } });
}

/** Set a new password with the token of a recovery link: a new session starts. */
export async function completeRecovery(token, newPassword) {
  adopt(
    await send("POST", "/auth/recovery/complete", {
      body: { token, newPassword },
      headers: TRANSPORT,
    }),
  );
}

/** dev's outbox: the mails it would have sent, newest first. */
export async function outbox() {
  return (await send("GET", "/_dev/outbox")).mails;
}
