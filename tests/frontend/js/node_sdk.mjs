// Corbado's Node.js SDK (@corbado/node-sdk) against `connect-backend emulator`: every Backend
// API operation the emulator implements and the SDK offers, through the SDK's services where it
// has them and its generated API classes otherwise; then one call with a wrong secret.
//
// node node_sdk.mjs <emulator base URL> <project id> <api secret>
// prints one JSON line: {"answers": [{"operation", "body"}], "errors": {...}, "found": {...}}.
// `operation` is the generated API method whose answer `body` is; tests/frontend checks each
// body against the SDK's own types. Any unexpected failure exits 1 naming the step.
import { Config, SDK } from "@corbado/node-sdk";
import { ServerError } from "@corbado/node-sdk/errors";

// The generated client is not among the package's exports; the SDK builds its services on it.
import {
  ConnectTokensApi,
  UsersApi,
} from "./node_modules/@corbado/node-sdk/esm/generated/index.js";

const [base, projectId, secret] = process.argv.slice(2);
const answers = [];
const found = {};
const errors = {};

function answered(operation, body) {
  answers.push({ operation, body });
  return body;
}

async function refusal(step, call) {
  try {
    await call();
  } catch (error) {
    if (!(error instanceof ServerError)) throw new Error(`${step}: ${error}`);
    errors[step] = {
      status: error.getHttpStatusCode(),
      type: error.getError().type ?? null,
      requestId: error.getRequestId(),
    };
    return;
  }
  throw new Error(`${step}: no ServerError`);
}

async function main() {
  const sdk = new SDK(new Config(projectId, secret, base, base));
  const users = sdk.users();
  const identifiers = sdk.identifiers();
  const http = sdk.createClient(new Config(projectId, secret, base, base));
  const usersApi = new UsersApi(undefined, "", http);
  const connectTokens = new ConnectTokensApi(undefined, "", http);
  const email = `node-sdk-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;

  const user = answered("userCreate", await users.create({ status: "active", fullName: "Jane Doe" }));
  const other = answered("userCreate", await users.createActiveByName("John Doe"));
  answered("userGet", await users.get(user.userID));

  const identifier = answered(
    "identifierCreate",
    await identifiers.create(user.userID, {
      identifierType: "email",
      identifierValue: email,
      status: "pending",
    }),
  );
  answered("identifierList", await identifiers.list());
  found.byValueAndType = answered(
    "identifierList",
    await identifiers.listByValueAndType(email, "email"),
  ).identifiers.map((i) => i.identifierID);
  found.byUserId = answered("identifierList", await identifiers.listByUserId(user.userID))
    .identifiers.map((i) => i.identifierID);
  found.byUserIdAndType = answered(
    "identifierList",
    await identifiers.listByUserIdAndType(user.userID, "email"),
  ).identifiers.map((i) => i.identifierID);
  found.sorted = answered(
    "identifierList",
    await identifiers.list([`identifierType:eq:email`], "identifierValue:desc", 1, 100),
  ).identifiers.map((i) => i.value);
  // The emulator percent-decodes a filter value once more, as the live API does (see
  // corbado_emulator/listing.py); this SDK puts the value in as it is, so a value
  // with "+" is found only when the caller encodes it.
  const plus = `node+sdk-${Date.now().toString(36)}@example.com`;
  answered(
    "identifierCreate",
    await identifiers.create(user.userID, { identifierType: "email", identifierValue: plus, status: "pending" }),
  );
  found.plusAsIs = answered("identifierList", await identifiers.listByValueAndType(plus, "email"))
    .identifiers.length;
  found.plusEncoded = answered(
    "identifierList",
    await identifiers.listByValueAndType(encodeURIComponent(plus), "email"),
  ).identifiers.map((i) => i.value);
  found.status = [
    answered("identifierUpdate", await identifiers.updateStatus(user.userID, identifier.identifierID, "verified")).status,
    answered(
      "identifierUpdate",
      await identifiers.updateIdentifier(user.userID, identifier.identifierID, { status: "primary" }),
    ).status,
  ];

  const created = answered(
    "connectTokenCreate",
    (
      await connectTokens.connectTokenCreate({
        type: "passkey-append",
        data: { identifier: email, displayName: "Jane Doe" },
      })
    ).data,
  );
  answered("connectTokenDelete", (await connectTokens.connectTokenDelete(created.id)).data);

  // A passkey to list and delete: the emulator's own stand-in login gives the identifier one.
  const minted = await fetch(`${base}/v2/_emulator/passkeyLogin`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ identifier: email }),
  });
  if (minted.status !== 200) throw new Error(`passkeyLogin: ${minted.status}`);
  const listed = answered("credentialList", (await usersApi.credentialList(user.userID, "", undefined, 1, 10)).data);
  found.credentials = listed.credentials.length;
  answered("credentialDelete", (await usersApi.credentialDelete(user.userID, listed.credentials[0].id)).data);
  found.credentialsAfterDelete = answered("credentialList", (await usersApi.credentialList(user.userID)).data)
    .credentials.length;

  answered("identifierDelete", await identifiers.delete(user.userID, identifier.identifierID));
  found.afterIdentifierDelete = answered(
    "identifierList",
    await identifiers.listByValueAndType(email, "email"),
  ).identifiers.length;
  answered("userDelete", await users.delete(user.userID));
  answered("userDelete", await users.delete(other.userID));
  await refusal("deletedUser", () => users.get(user.userID));

  const wrong = new SDK(new Config(projectId, "corbado1_not-the-secret", base, base));
  await refusal("wrongSecret", () => wrong.users().get(other.userID));

  process.stdout.write(`${JSON.stringify({ answers, found, errors })}\n`);
}

main().catch((error) => {
  console.error(error instanceof ServerError ? JSON.stringify(error) : error);
  process.exit(1);
});
