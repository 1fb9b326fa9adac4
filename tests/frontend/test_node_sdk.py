"""`connect-backend emulator` driven by Corbado's Node.js SDK (`@corbado/node-sdk`, pinned in
`js/package-lock.json`): every operation both implement (`js/node_sdk.mjs`), each answer
returned by the SDK and checked against the SDK's own generated types, and one wrong secret
giving the SDK's error for it.

The SDK's types come from an older Backend API spec than the emulator's: answers may carry
members they do not declare (`credential`'s `aaguidDetails`, say), never lack one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from entrypoints.configuration.settings import DEV_API_SECRET, DEV_PROJECT_ID
from tests.frontend.conftest import JS, run
from tests.frontend.declared import Conformance, Declarations
from tests.support.servers import LOOPBACK, free_port
from tests.support.services import Server, base_environment, started

GENERATED = JS / "node_modules" / "@corbado" / "node-sdk" / "esm" / "generated" / "api.d.ts"


def _answers(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/v2/identifiers", timeout=1)
    except httpx.TransportError:
        return False
    return True


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    args = ["emulator", "--host", LOOPBACK, "--port", str(port)]
    workdir: Path = tmp_path_factory.mktemp("emulator")
    with started(args, base_environment(PORT=str(port)), workdir, ready=_answers) as server:
        yield server


@pytest.fixture(scope="module")
def report(node: str, emulator: Server) -> dict[str, Any]:
    script = str(JS / "node_sdk.mjs")
    output = run([node, script, emulator.base_url, DEV_PROJECT_ID, DEV_API_SECRET])
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def test_every_answer_is_what_the_sdk_declares(node: str, report: dict[str, Any]) -> None:
    declarations = Declarations.read(
        node, GENERATED, "UsersApi", "IdentifiersApi", "ConnectTokensApi"
    )
    conformance = Conformance(declarations, strict=False)

    for index, answer in enumerate(report["answers"]):
        declared = declarations.operations[answer["operation"]]
        conformance.check(answer["body"], declared, f"{index}:{answer['operation']}")

    assert conformance.problems == []
    assert {answer["operation"] for answer in report["answers"]} == {
        "userCreate",
        "userGet",
        "userDelete",
        "identifierCreate",
        "identifierList",
        "identifierUpdate",
        "identifierDelete",
        "connectTokenCreate",
        "connectTokenDelete",
        "credentialList",
        "credentialDelete",
    }


def test_every_identifier_list_of_the_sdk_finds_what_it_asks_for(report: dict[str, Any]) -> None:
    found = report["found"]

    [identifier_id] = found["byValueAndType"]
    assert found["byUserId"] == [identifier_id]
    assert found["byUserIdAndType"] == [identifier_id]
    assert found["sorted"] == sorted(found["sorted"], reverse=True)
    assert found["status"] == ["verified", "primary"]
    assert (found["credentials"], found["credentialsAfterDelete"]) == (1, 0)
    assert found["afterIdentifierDelete"] == 0


def test_a_value_with_a_plus_is_found_only_when_the_caller_encodes_it(
    report: dict[str, Any],
) -> None:
    found = report["found"]

    assert found["plusAsIs"] == 0  # "+" decoded once more is a space
    [value] = found["plusEncoded"]
    assert value.startswith("node+sdk-")


def test_a_wrong_secret_is_the_sdk_s_server_error_for_a_login_error(
    report: dict[str, Any],
) -> None:
    errors = report["errors"]

    assert errors["wrongSecret"]["status"] == 401
    assert errors["wrongSecret"]["type"] == "login_error"
    assert errors["wrongSecret"]["requestId"].startswith("req-")
    assert errors["deletedUser"]["status"] == 404
    assert errors["deletedUser"]["type"] == "not_found"
