// The whole login flow through the client generated from docs/openapi.json (openapi-typescript
// types + openapi-fetch), against a running connect-backend `dev`:
//
//   CONNECT_BACKEND_URL=http://127.0.0.1:8000 node dist/flow.js
//
// register -> login -> createConnectToken -> (emulator passkey login) -> completeLogin ->
// refresh -> me -> logout -> me is 401. Prints one JSON line of what it saw; exits 1 on any
// surprise.
import createClient from "openapi-fetch";

import type { components, paths } from "./generated/api.js";

type ErrorResponse = components["schemas"]["ErrorResponse"];

const baseUrl = process.env.CONNECT_BACKEND_URL ?? "http://127.0.0.1:8000";
const password = "correct horse battery";
// The dev service's emulator stands in for the browser's passkey ceremony at this path.
const passkeyLogin = "/_emulator/corbado/v2/_emulator/passkeyLogin";

const client = createClient<paths>({ baseUrl });
const seen: Record<string, number> = {};

function expect(step: string, status: number, wanted: number): void {
  seen[step] = status;
  if (status !== wanted) {
    throw new Error(`${step}: expected ${wanted}, got ${status}`);
  }
}

function bearer(accessToken: string): { Authorization: string } {
  return { Authorization: `Bearer ${accessToken}` };
}

async function main(): Promise<void> {
  const email = `ts-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

  const registered = await client.POST("/auth/register", {
    body: { email, password, displayName: "TS Client" },
  });
  expect("register", registered.response.status, 201);
  const userId = registered.data?.userId;

  const login = await client.POST("/auth/login", { body: { email, password } });
  expect("login", login.response.status, 200);
  if (login.data?.tokenType !== "Bearer") throw new Error("login: no Bearer token pair");

  // What a Corbado Connect append component's connectTokenProvider would return.
  const connect = await client.POST("/auth/createConnectToken", {
    headers: bearer(login.data.accessToken),
    body: { connectTokenType: "passkey-append" },
  });
  expect("createConnectToken", connect.response.status, 200);
  if (!connect.data?.connectToken) throw new Error("createConnectToken: no connect token");

  // The emulator plays the browser's passkey login and hands back signedPasskeyData.
  const ceremony = await fetch(baseUrl + passkeyLogin, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ identifier: email }),
  });
  expect("emulatorPasskeyLogin", ceremony.status, 200);
  const { signedPasskeyData } = (await ceremony.json()) as { signedPasskeyData: string };

  const passkey = await client.POST("/auth/completeLogin", { body: { signedPasskeyData } });
  expect("completeLogin", passkey.response.status, 200);
  if (passkey.data?.success !== true) throw new Error("completeLogin: not a success");

  const replay = await client.POST("/auth/completeLogin", { body: { signedPasskeyData } });
  expect("completeLoginReplayed", replay.response.status, 401);
  if (replay.error?.success !== false || replay.error.error !== "passkey_login_failed") {
    throw new Error("completeLogin replayed: expected a typed passkey_login_failed");
  }

  // Token mode (no Session-Transport header): the refresh token is in the body. In a browser on
  // the API's site, `Session-Transport: cookie` keeps it in an HttpOnly cookie instead.
  const refreshToken = passkey.data.refreshToken;
  if (!refreshToken) throw new Error("completeLogin: no refresh token in token mode");
  const refreshed = await client.POST("/auth/refresh", { body: { refreshToken } });
  expect("refresh", refreshed.response.status, 200);
  if (!refreshed.data?.refreshToken || refreshed.data.refreshToken === refreshToken) {
    throw new Error("refresh: the refresh token was not rotated");
  }
  const session = bearer(refreshed.data.accessToken);

  const me = await client.GET("/auth/me", { headers: session });
  expect("me", me.response.status, 200);
  if (me.data?.userId !== userId) throw new Error("me: the passkey session is someone else's");

  const logout = await client.POST("/auth/logout", { headers: session });
  expect("logout", logout.response.status, 204);

  const after = await client.GET("/auth/me", { headers: session });
  expect("meAfterLogout", after.response.status, 401);
  const refused: ErrorResponse | undefined = after.error;
  if (refused?.error !== "invalid_token") throw new Error("me after logout: not invalid_token");

  console.log(JSON.stringify({ ok: true, userId, seen }));
}

main().catch((error: unknown) => {
  console.log(JSON.stringify({ ok: false, error: String(error), seen }));
  process.exit(1);
});
