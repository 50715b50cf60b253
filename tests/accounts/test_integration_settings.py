"""ProConnect and SMS settings resolve from the environment (a fresh interpreter each)."""

import json

from tests.test_settings import run

PROBE = """
import json, django
django.setup()
from django.conf import settings
apps = settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]
print(json.dumps({"enabled": settings.PROCONNECT_ENABLED, "apps": apps,
                  "sms_backend": settings.SMS_BACKEND, "segments": settings.SMS_MAX_SEGMENTS}))
"""
PROCONNECT = {
    "PROCONNECT_CLIENT_ID": "client",
    "PROCONNECT_CLIENT_SECRET": "secret",
    "PROCONNECT_SERVER_URL": "https://fca.integ01.dev-agentconnect.fr/api/v2",
    "DEBUG": "1",
}


def resolve(**env) -> dict:
    result = run(env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_proconnect_is_off_without_its_settings():
    got = resolve(DEBUG="1", PROCONNECT_CLIENT_ID="client")  # one of three is not enough
    assert got["enabled"] is False and got["apps"] == []


def test_proconnect_is_on_with_its_settings():
    got = resolve(**PROCONNECT)
    assert got["enabled"] is True
    (app,) = got["apps"]
    assert (app["provider_id"], app["client_id"], app["secret"]) == ("proconnect", "client",
                                                                     "secret")  # fmt: skip
    assert app["settings"]["server_url"] == PROCONNECT["PROCONNECT_SERVER_URL"]
    assert app["settings"]["auth_params"] == {"acr_values": "eidas1"}
    assert "usual_name" in app["settings"]["scope"]


def test_sms_backend_names():
    assert resolve(DEBUG="1")["sms_backend"] == "core.sms.ConsoleSmsBackend"
    got = resolve(DEBUG="1", SMS_BACKEND="http", SMS_MAX_SEGMENTS="2")
    assert (got["sms_backend"], got["segments"]) == ("core.sms.HttpSmsBackend", 2)
    assert resolve(DEBUG="1", SMS_BACKEND="x.Y")["sms_backend"] == "x.Y"
