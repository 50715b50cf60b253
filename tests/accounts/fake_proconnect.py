"""A small OpenID Connect provider shaped like ProConnect, on 127.0.0.1, for the tests.

It serves discovery, JWKS, authorize (signs in `identity` at once and redirects back with a
code), token (client_secret_post, PKCE S256 checked) and userinfo (a signed JWT, as ProConnect
answers). ID tokens and userinfo are signed RS256 with a key made for the test run. The
server runs in a thread; `requests` records what it received.
"""

import base64
import hashlib
import json
import secrets
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.local_http import LocalHttpServer

CLIENT_ID = "solimob-test-client"
CLIENT_SECRET = "solimob-test-secret"  # noqa: S105
KID = "test-key-1"


class FakeProConnect:
    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.identity: dict = {}
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict]] = []
        self.tamper_nonce = False
        self.issued_id_tokens: list[str] = []
        self.ended: list[str | None] = []  # the id_token_hint of each end_session call
        self.http = LocalHttpServer(self._handler())
        self.url = self.http.base + "/api/v2"

    def __enter__(self):
        self.http.start()
        return self

    def __exit__(self, *exc):
        self.http.stop()

    def sign_in_as(self, email: str, *, sub: str | None = None, acr: str = "eidas1",
                   amr: tuple[str, ...] = ("pwd", "mfa"), **claims) -> None:  # fmt: skip
        """Who the next authorisation signs in."""
        self.identity = {
            "sub": sub or hashlib.sha256(email.encode()).hexdigest(),
            "email": email,
            "given_name": "Camille",
            "usual_name": "Agent",
            "siret": "21030190000015",
            "uid": "1234",
            "idp_id": "fia1v2",
            "acr": acr,
            "amr": list(amr),
            **claims,
        }

    def jwks(self) -> dict:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": KID, "alg": "RS256", "use": "sig"}]}

    def sign(self, payload: dict) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 60, **payload}
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    def configuration(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/session/end",
            "token_endpoint_auth_methods_supported": ["client_secret_post"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "userinfo_signing_alg_values_supported": ["RS256"],
            "acr_values_supported": ["eidas1"],
        }

    # --- HTTP ---------------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, body: str, content_type: str, headers=None):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _json(self, status: int, payload: dict):
                self._answer(status, json.dumps(payload), "application/json")

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                fake.requests.append(("GET", url.path, query))
                path = url.path.removeprefix("/api/v2")
                if path == "/.well-known/openid-configuration":
                    return self._json(200, fake.configuration())
                if path == "/jwks":
                    return self._json(200, fake.jwks())
                if path == "/authorize":
                    return self._authorize(query)
                if path == "/userinfo":
                    return self._userinfo()
                if path == "/session/end":
                    fake.ended.append(query.get("id_token_hint"))
                    back = query["post_logout_redirect_uri"] + "?state=" + query.get("state", "")
                    return self._answer(302, "", "text/plain", {"Location": back})
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.requests.append(("POST", url.path, form))
                if url.path.removeprefix("/api/v2") == "/token":
                    return self._token(form)
                return self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict):
                if query.get("client_id") != CLIENT_ID or not fake.identity:
                    return self._json(400, {"error": "invalid_request"})
                code = secrets.token_urlsafe(16)
                fake.codes[code] = {
                    "identity": dict(fake.identity),
                    "nonce": query.get("nonce"),
                    "redirect_uri": query["redirect_uri"],
                    "challenge": query.get("code_challenge"),
                }
                target = (
                    query["redirect_uri"]
                    + "?"
                    + urlencode({"code": code, "state": query.get("state", "")})
                )
                self._answer(302, "", "text/plain", {"Location": target})

            def _token(self, form: dict):
                grant = fake.codes.pop(form.get("code", ""), None)
                if (
                    grant is None
                    or form.get("client_id") != CLIENT_ID
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != grant["redirect_uri"]
                ):
                    return self._json(400, {"error": "invalid_grant"})
                if grant["challenge"]:
                    verifier = form.get("code_verifier", "").encode()
                    digest = hashlib.sha256(verifier).digest()
                    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                    if challenge != grant["challenge"]:
                        return self._json(400, {"error": "invalid_grant"})
                identity = grant["identity"]
                nonce = "forged-nonce" if fake.tamper_nonce else grant["nonce"]
                id_token = fake.sign({
                    "sub": identity["sub"], "nonce": nonce, "acr": identity["acr"],
                    "amr": identity["amr"], "idp_id": identity["idp_id"],
                    "auth_time": int(time.time()),
                })  # fmt: skip
                fake.issued_id_tokens.append(id_token)
                access_token = secrets.token_urlsafe(16)
                fake.tokens[access_token] = identity
                return self._json(200, {
                    "access_token": access_token, "token_type": "Bearer", "expires_in": 60,
                    "id_token": id_token,
                })  # fmt: skip

            def _userinfo(self):
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                identity = fake.tokens.get(token)
                if identity is None:
                    return self._json(401, {"error": "invalid_token"})
                claims = {k: v for k, v in identity.items() if k not in ("acr", "amr")}
                self._answer(200, fake.sign(claims), "application/jwt; charset=utf-8")

        return Handler


def proconnect_settings(fake: FakeProConnect) -> dict:
    """`SOCIALACCOUNT_PROVIDERS` pointing at the fake, as config.settings builds it."""
    return {
        "openid_connect": {
            "provider_class": "accounts.proconnect.ProConnectProvider",
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "proconnect",
                    "name": "ProConnect",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {
                        "server_url": fake.url,
                        "token_auth_method": "client_secret_post",
                        "scope": [
                            "openid",
                            "email",
                            "given_name",
                            "usual_name",
                            "siret",
                            "uid",
                            "idp_id",
                        ],
                        "auth_params": {"acr_values": "eidas1"},
                    },
                }
            ],
        }
    }
