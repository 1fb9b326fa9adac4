// The passkey ceremonies the three Corbado Connect components run (append, login, passkey
// list), against the Frontend API of the emulator that `connect-backend dev` mounts. With the
// real Corbado, its components call its Frontend API instead (docs/integration-guide.md).

import * as api from "./api.js";

const FRONTEND_API = "/_emulator/corbado/frontendapi/v2/connect";

/** A passkey step that failed, with a message for the person in front of the page. */
export class PasskeyError extends Error {}

async function frontend(operation, body) {
  return api.send("POST", `${FRONTEND_API}/${operation}`, { body });
}

function supported() {
  if (!window.PublicKeyCredential?.parseCreationOptionsFromJSON) {
    throw new PasskeyError("This browser cannot use passkeys here; try a current browser.");
  }
}

async function ceremony(run) {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof DOMException)) throw error;
    if (error.name === "NotAllowedError" || error.name === "AbortError") {
      throw new PasskeyError("The passkey request was cancelled or timed out. Nothing changed.");
    }
    if (error.name === "InvalidStateError") {
      throw new PasskeyError("This device already holds a passkey for this account.");
    }
    if (error.name === "SecurityError") {
      throw new PasskeyError("Passkeys need the page at http://localhost, not an IP address.");
    }
    throw new PasskeyError(`The passkey request failed (${error.name}).`);
  }
}

/** The append component: make a passkey on this device and keep it for the account. */
export async function addPasskey() {
  supported();
  const appendTokenValue = await api.connectToken("passkey-append");
  const { attestationOptions } = await frontend("append/start", { appendTokenValue });
  const { publicKey } = JSON.parse(attestationOptions);
  const credential = await ceremony(() =>
    navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(publicKey),
    }),
  );
  await frontend("append/finish", { attestationResponse: JSON.stringify(credential.toJSON()) });
}

/** The login component: a passkey of `identifier`'s, then a session from connect-backend. */
export async function logInWithPasskey(identifier) {
  supported();
  const { assertionOptions, fallbackOperationError } = await frontend("login/start", {
    identifier,
  });
  // No passkey login is possible for this identifier: the component hands over to the
  // frontend's other login.
  if (fallbackOperationError.initFallback) {
    throw new PasskeyError(
      "This account has no passkey. Log in with your password, then add one.",
    );
  }
  const { publicKey } = JSON.parse(assertionOptions);
  const credential = await ceremony(() =>
    navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(publicKey),
    }),
  );
  const { session } = await frontend("login/finish", {
    assertionResponse: JSON.stringify(credential.toJSON()),
  });
  await api.completeLogin(session);
}

/** The passkey list component: the account's passkeys. */
export async function listPasskeys() {
  const connectToken = await api.connectToken("passkey-list");
  const { passkeys } = await frontend("manage/list", { connectToken });
  return passkeys;
}

/** The passkey list component's delete, then telling connect-backend which passkey went;
 * how many sessions that passkey had opened (they have ended). */
export async function deletePasskey(credentialId) {
  const connectToken = await api.connectToken("passkey-delete");
  await frontend("manage/delete", { connectToken, credentialID: credentialId });
  const answer = await api.authorized("POST", "/auth/passkeys/deleted", { credentialId });
  return answer.endedSessions;
}
