// The whole passkey journey as a frontend developer writes it with Corbado's own code:
// @corbado/web-core's ConnectService against the Corbado emulator of `connect-backend dev`, and
// connect-backend's API for everything else, from a page on an origin of its own. esbuild
// bundles this file for the browser; tests/frontend/test_web_core_journey.py runs it.
//
// window.runJourney({ api, frontendApi, projectId, email }) resolves to what each step saw,
// or rejects naming the step that failed.
import { ConnectService } from "@corbado/web-core";

const PASSWORD = "correct horse battery";

async function call(api, path, { token, body } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(`${api}${path}`, {
    method: "POST",
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

function expectStatus(step, answer, wanted) {
  if (answer.status !== wanted) {
    throw new Error(`${step}: expected ${wanted}, got ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

// web-core answers Result values (ts-results): `ok` with `val`, or `err` with a ConnectError.
function unwrap(step, result) {
  if (result.err) {
    const error = result.val;
    throw new Error(`${step}: ${error.track ? error.track() : JSON.stringify(error)}`);
  }
  return result.val;
}

function claims(accessToken) {
  const payload = accessToken.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(payload));
}

window.runJourney = async ({ api, frontendApi, projectId, email }) => {
  const seen = {};
  const body = { email, password: PASSWORD, displayName: "Web Core" };
  expectStatus("register", await call(api, "/auth/register", { body }), 201);
  const password = expectStatus(
    "passwordLogin",
    await call(api, "/auth/login", { body: { email, password: PASSWORD } }),
    200,
  );
  const connectToken = async (type) =>
    expectStatus(
      `createConnectToken ${type}`,
      await call(api, "/auth/createConnectToken", {
        token: password.accessToken,
        body: { connectTokenType: type },
      }),
      200,
    ).connectToken;

  const service = new ConnectService(projectId, "frontendapi.corbado.io", false, frontendApi);

  // The append component, after the password login.
  seen.appendInit = unwrap("appendInit", await service.appendInit(new AbortController()));
  const appendToken = await connectToken("passkey-append");
  const appendStart = unwrap("startAppend", await service.startAppend(appendToken, 0, undefined, true));
  const appended = unwrap(
    "completeAppend",
    await service.completeAppend(appendStart.attestationOptions, "manual"),
  );
  seen.appended = appended.passkeyOperation;

  // The login component.
  const loginStart = unwrap("loginStart", await service.loginStart(email, "text-field", 0));
  seen.loginFallback = loginStart.fallbackOperationError;
  const loggedIn = unwrap("loginContinue", await service.loginContinue(loginStart));
  const session = expectStatus(
    "completeLogin",
    await call(api, "/auth/completeLogin", {
      body: { signedPasskeyData: loggedIn.signedPasskeyData },
    }),
    200,
  );
  seen.amr = claims(session.accessToken).amr;
  seen.sameData = loggedIn.session === loggedIn.signedPasskeyData;

  // The passkey list component: list, delete, and tell connect-backend.
  seen.manageInit = unwrap("manageInit", await service.manageInit(new AbortController()));
  const listed = unwrap("manageList", await service.manageList(await connectToken("passkey-list"), false));
  seen.listed = listed.passkeys.length;
  const [passkey] = listed.passkeys;
  const deleted = unwrap(
    "manageDelete",
    await service.manageDelete(await connectToken("passkey-delete"), passkey.id),
  );
  seen.deleted = deleted.credentialID === passkey.id;
  const ended = expectStatus(
    "passkeysDeleted",
    await call(api, "/auth/passkeys/deleted", {
      token: session.accessToken,
      body: { credentialId: passkey.id },
    }),
    200,
  );
  seen.endedSessions = ended.endedSessions;

  // The login component again: no passkey left, so it falls back to the password login.
  const refused = unwrap("loginStartAfterDelete", await service.loginStart(email, "text-field", 0));
  seen.refusal = { assertionOptions: refused.assertionOptions, ...refused.fallbackOperationError };
  return seen;
};
