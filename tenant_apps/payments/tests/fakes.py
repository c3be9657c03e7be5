"""Local stand-ins for the few Stripe and Paystack endpoints we use, so tests run the real
`stripe` library (and our Paystack client) over real HTTP without reaching the internet.

Each secret key is its own account: what one marketplace creates, another's key can't see.
Tests play the guest's side (confirming a card with Stripe.js, paying on Paystack's page)
through `confirm()` / `pay()`, and build signed webhook events with `signed_event()`."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlparse

import stripe


class FakeProvider:
    """A threaded HTTP server; subclasses answer `route(method, path, params, key, headers)`."""

    def __init__(self) -> None:
        self.accounts: dict[str, dict] = {}
        self.lock = threading.Lock()
        self.down = False  # answer 503 to everything: a provider outage
        self.requests: list[tuple[str, str]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                params = fake.parse_body(raw, self.headers.get("Content-Type", ""))
                params.update(dict(parse_qsl(url.query)))
                auth = self.headers.get("Authorization", "")
                key = auth.removeprefix("Bearer ").strip()
                fake.requests.append((method, url.path))
                if fake.down:
                    status, body = 503, {"error": {"message": "Service unavailable"}}
                else:
                    with fake.lock:
                        status, body = fake.answer(method, url.path, params, key, self.headers)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def account(self, key: str) -> dict | None:
        return self.accounts.get(key)

    @staticmethod
    def parse_body(raw: str, content_type: str) -> dict:
        if not raw:
            return {}
        if "json" in content_type:
            return json.loads(raw)
        return dict(parse_qsl(raw))

    def answer(self, method, path, params, key, headers):
        raise NotImplementedError


def _id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class FakeStripe(FakeProvider):
    """PaymentIntents (create, retrieve, list, capture, cancel) and Refunds."""

    def open_account(self) -> dict:
        """New test keys: a secret, a publishable key and a webhook signing secret."""
        token = secrets.token_hex(12)
        keys = {
            "secret_key": f"sk_test_{token}",
            "publishable_key": f"pk_test_{token}",
            "webhook_secret": f"whsec_{secrets.token_hex(16)}",
        }
        self.accounts[keys["secret_key"]] = {"intents": {}, "refunds": {}, "replies": {}}
        return keys

    def answer(self, method, path, params, key, headers):
        account = self.account(key)
        if account is None:
            masked = f"{key[:8]}****{key[-4:]}" if len(key) > 12 else "****"
            return 401, _stripe_error(
                f"Invalid API Key provided: {masked}", "invalid_request_error"
            )
        idem = headers.get("Idempotency-Key")
        if method == "POST" and idem:
            # Stripe's documented rule: a key replays its first answer, but only for the same
            # request; the same key with other parameters is refused (for 24 hours).
            request = (path, sorted(params.items()))
            seen = account["replies"].get(idem)
            if seen is not None:
                if seen[0] != request:
                    return 400, _stripe_error(
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other than "
                        f"'{idem}' if you meant to execute a different request.",
                        "idempotency_error",
                    )
                return seen[1]
            reply = self._route(account, method, path, params)
            account["replies"][idem] = (request, reply)
            return reply
        return self._route(account, method, path, params)

    def _route(self, account, method, path, params):
        parts = path.strip("/").split("/")  # v1, payment_intents, id, action
        intents = account["intents"]
        if parts[:2] == ["v1", "payment_intents"]:
            if len(parts) == 2 and method == "POST":
                return 200, self._create_intent(intents, params)
            if len(parts) == 2 and method == "GET":
                return 200, {"object": "list", "data": list(intents.values())[:1],
                             "has_more": False, "url": "/v1/payment_intents"}  # fmt: skip
            intent = intents.get(parts[2])
            if intent is None:
                return 404, _stripe_error(f"No such payment_intent: '{parts[2]}'")
            if len(parts) == 3:
                return 200, intent
            if parts[3] == "capture":
                if intent["status"] != "requires_capture":
                    return 400, _stripe_error(
                        "This PaymentIntent could not be captured because it has a status of "
                        f"{intent['status']}."
                    )
                intent["status"] = "succeeded"
                intent["amount_received"] = int(params.get("amount_to_capture", intent["amount"]))
                intent["amount_capturable"] = 0
                return 200, intent
            if parts[3] == "cancel":
                if intent["status"] in ("succeeded", "canceled"):
                    return 400, _stripe_error(
                        "You cannot cancel this PaymentIntent because it has a status of "
                        f"{intent['status']}."
                    )
                intent["status"] = "canceled"
                intent["amount_capturable"] = 0
                intent["cancellation_reason"] = params.get("cancellation_reason")
                return 200, intent
        if parts == ["v1", "refunds"] and method == "POST":
            return self._refund(account, params)
        return 404, _stripe_error(f"Unrecognized request URL ({method}: {path}).")

    @staticmethod
    def _create_intent(intents, params):
        pid = _id("pi")
        metadata = {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}
        intent = {
            "id": pid, "object": "payment_intent", "amount": int(params["amount"]),
            "amount_capturable": 0, "amount_received": 0, "currency": params["currency"],
            "created": int(time.time()), "description": params.get("description"),
            "capture_method": params.get("capture_method", "automatic"),
            "client_secret": f"{pid}_secret_{secrets.token_hex(8)}",
            "status": "requires_payment_method", "metadata": metadata,
            "last_payment_error": None, "livemode": False,
        }  # fmt: skip
        intents[pid] = intent
        return intent

    @staticmethod
    def _refund(account, params):
        intent = account["intents"].get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            return 400, _stripe_error("This PaymentIntent has no charge to refund.")
        amount = int(params.get("amount", intent["amount_received"]))
        refunded = sum(
            r["amount"] for r in account["refunds"].values() if r["payment_intent"] == intent["id"]
        )
        if refunded + amount > intent["amount_received"]:
            return 400, _stripe_error(
                f"Refund amount ({amount}) is greater than unrefunded amount on charge."
            )
        metadata = {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}
        refund = {
            "id": _id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
            "payment_intent": intent["id"], "charge": _id("ch"), "created": int(time.time()),
            "reason": None, "status": "succeeded", "metadata": metadata,
        }  # fmt: skip
        account["refunds"][refund["id"]] = refund
        return 200, refund

    # --- the guest's side, and events -----------------------------------------------------------
    def confirm(self, secret_key: str, intent_id: str, *, decline: bool = False) -> dict:
        """What Stripe.js does when the guest submits a card."""
        with self.lock:
            intent = self.accounts[secret_key]["intents"][intent_id]
            if decline:
                intent["status"] = "requires_payment_method"
                intent["last_payment_error"] = {"message": "Your card was declined."}
            elif intent["capture_method"] == "manual":
                intent["status"] = "requires_capture"
                intent["amount_capturable"] = intent["amount"]
            else:
                intent["status"] = "succeeded"
                intent["amount_received"] = intent["amount"]
            return dict(intent)

    def refunds(self, secret_key: str) -> list[dict]:
        return list(self.accounts[secret_key]["refunds"].values())

    def intent(self, secret_key: str, intent_id: str) -> dict:
        return self.accounts[secret_key]["intents"][intent_id]


def stripe_event(kind: str, obj: dict, event_id: str | None = None) -> bytes:
    """An Event object as Stripe documents it (https://docs.stripe.com/api/events/object)."""
    event = {"id": event_id or _id("evt"), "object": "event", "api_version": stripe.api_version,
             "type": kind, "created": int(time.time()), "livemode": False,
             "pending_webhooks": 1, "request": {"id": _id("req"), "idempotency_key": None},
             "data": {"object": obj}}  # fmt: skip
    return json.dumps(event).encode()


def stripe_signature(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """Stripe's documented scheme: v1 = HMAC-SHA256(secret, f"{t}.{payload}")."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def _stripe_error(message: str, kind: str = "invalid_request_error") -> dict:
    return {"error": {"type": kind, "message": message}}


class FakePaystack(FakeProvider):
    """Transactions (initialize, verify, list) and refunds (create, list), answering in the
    shapes of Paystack's API reference, and refund events as its refunds guide documents
    them (https://paystack.com/docs/payments/refunds/)."""

    INTEGRATION = 463433

    def __init__(self) -> None:
        super().__init__()
        self.initialized: list[dict] = []  # the bodies of /transaction/initialize, in order

    def open_account(self) -> dict:
        token = secrets.token_hex(20)
        keys = {"secret_key": f"sk_test_{token}", "publishable_key": f"pk_test_{token}"}
        self.accounts[keys["secret_key"]] = {"transactions": {}, "refunds": {}}
        return keys

    def answer(self, method, path, params, key, headers):
        account = self.account(key)
        if account is None:
            return 401, {"status": False, "message": "Invalid key"}
        transactions = account["transactions"]
        if path == "/transaction/initialize" and method == "POST":
            reference = params["reference"]
            if reference in transactions:
                return 400, {"status": False, "message": "Duplicate Transaction Reference"}
            access_code = secrets.token_hex(6)
            transactions[reference] = {
                "id": len(transactions) + 1000, "domain": "test", "status": "abandoned",
                "reference": reference, "amount": int(params["amount"]), "message": None,
                "gateway_response": "", "paid_at": None, "created_at": _now_iso(),
                "channel": "card", "currency": params["currency"],
                "metadata": params.get("metadata") or {},
                "customer": {"email": params["email"]},
            }  # fmt: skip
            self.initialized.append(dict(params))
            return 200, {"status": True, "message": "Authorization URL created", "data": {
                "authorization_url": f"https://checkout.paystack.com/{access_code}",
                "access_code": access_code, "reference": reference}}  # fmt: skip
        if path.startswith("/transaction/verify/"):
            found = transactions.get(path.rsplit("/", 1)[1])
            if found is None:
                return 400, {"status": False, "message": "Transaction reference not found"}
            return 200, {"status": True, "message": "Verification successful", "data": found}
        if path == "/transaction" and method == "GET":
            return 200, {"status": True, "message": "Transactions retrieved",
                         "data": list(transactions.values())[:1]}  # fmt: skip
        if path == "/refund":
            return self._refund(account, method, params)
        return 404, {"status": False, "message": "Not found"}

    @classmethod
    def _refund(cls, account, method, params):
        refunds = account["refunds"]
        wanted = str(params.get("transaction", ""))
        found = account["transactions"].get(wanted) or next(
            (t for t in account["transactions"].values() if str(t["id"]) == wanted), None
        )
        if method == "GET":
            mine = [cls._public(r) for r in refunds.values() if found and r["_reference"] ==
                    found["reference"]]  # fmt: skip
            return 200, {"status": True, "message": "Refunds retrieved", "data": mine}
        if found is None or found["status"] != "success":
            return 400, {"status": False, "message": "Transaction has not been paid"}
        amount = int(params.get("amount", found["amount"]))
        done = sum(r["amount"] for r in refunds.values() if r["_reference"] == found["reference"])
        if done + amount > found["amount"]:
            return 400, {"status": False, "message": "Refund amount exceeds transaction amount"}
        refund = {
            "id": len(refunds) + 5000, "_reference": found["reference"],
            "integration": cls.INTEGRATION, "domain": "test", "currency": found["currency"],
            "amount": amount, "deducted_amount": 0, "fully_deducted": False, "channel": None,
            "status": "pending", "merchant_note": params.get("merchant_note", ""),
            "customer_note": params.get("customer_note", ""), "refunded_by": "owner",
            "expected_at": _now_iso(), "createdAt": _now_iso(),
        }  # fmt: skip
        refunds[refund["id"]] = refund
        created = {**cls._public(refund), "transaction": dict(found)}
        return 200, {"status": True, "message": "Refund has been queued for processing",
                     "data": created}  # fmt: skip

    @staticmethod
    def _public(refund: dict) -> dict:
        return {k: v for k, v in refund.items() if not k.startswith("_")}

    def pay(self, secret_key: str, reference: str) -> dict:
        """The guest pays on Paystack's hosted page."""
        with self.lock:
            found = self.accounts[secret_key]["transactions"][reference]
            found["status"] = "success"
            found["gateway_response"] = "Successful"
            found["paid_at"] = _now_iso()
            return dict(found)

    def refunds(self, secret_key: str) -> list[dict]:
        return [self._public(r) for r in self.accounts[secret_key]["refunds"].values()]

    def refund_event(self, secret_key: str, refund_id: int, status: str) -> bytes:
        """Moves a refund on (pending, processing, processed, failed) and returns the event
        Paystack sends about it, in its documented shape: the transaction's reference, a
        refund reference (once processed), the amount as a string, no refund id and no
        merchant note."""
        with self.lock:
            refund = self.accounts[secret_key]["refunds"][refund_id]
            refund["status"] = status
            transaction = self.accounts[secret_key]["transactions"][refund["_reference"]]
        data = {
            "status": status,
            "transaction_reference": refund["_reference"],
            "refund_reference": f"RFD{refund_id}{secret_key[-6:]}" if status == "processed"
            else None,
            "amount": str(refund["amount"]),
            "currency": refund["currency"],
            "processor": "mpgs_zenith",
            "customer": {"first_name": None, "last_name": None,
                         "email": transaction["customer"]["email"]},
            "integration": self.INTEGRATION,
            "domain": "test",
        }  # fmt: skip
        return paystack_event(f"refund.{status}", data)


def _now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())


def paystack_event(kind: str, data: dict) -> bytes:
    return json.dumps({"event": kind, "data": data}).encode()


def paystack_signature(payload: bytes, secret_key: str) -> str:
    """Paystack's documented scheme: HMAC-SHA512 of the raw body with the secret key, hex."""
    return hmac.new(secret_key.encode(), payload, hashlib.sha512).hexdigest()
