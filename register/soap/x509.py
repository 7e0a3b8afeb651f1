"""WS-Security X.509 signatures (CONTRACT.md section 1, 1.1): the Security header read, as institutions'
software signs for the social-security network (zeep's BinarySignature, node-soap's WSSecurityCert).

The header holds one ``wsse:BinarySecurityToken`` (X509v3, base64) and one
``ds:Signature`` whose KeyInfo refers to that token. Its references must
cover the Body and, when the header holds a ``wsu:Timestamp``, that
Timestamp, which must then be current (Created at most 5 minutes from the
server's clock, Expires not passed). The cryptography and the certificate's
registration are the service's (register.services.certificates). Every
refusal is Client.Authentication, before anything of the Body is read.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from register.services.auth import LoginRefused
from register.soap.namespaces import SOAP_ENV, WSSE

WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
CLOCK_SKEW = dt.timedelta(minutes=5)
LOCATION = f"./{{{SOAP_ENV}}}Header/{{{WSSE}}}Security/"  # where the ds:Signature must be


def is_signed(security) -> bool:
    """Whether the Security header authenticates by X.509 signature rather than by UsernameToken."""
    return security is not None and (
        security.find(f"{{{DS}}}Signature") is not None or security.find(f"{{{WSSE}}}BinarySecurityToken") is not None
    )


def authenticate(authenticator, envelope, security, now: dt.datetime | None = None):
    """The caller whose registered certificate signed this envelope (register.services.certificates)."""
    if security.find(f"{{{WSSE}}}UsernameToken") is not None:
        raise LoginRefused("Send either a UsernameToken or an X.509 signature, not both.")
    if len(envelope.findall(f"{{{SOAP_ENV}}}Header")) != 1 or len(envelope.findall(f"{{{SOAP_ENV}}}Body")) != 1:
        raise LoginRefused("A signed message has exactly one Header and one Body.")
    if len(envelope.find(f"{{{SOAP_ENV}}}Header").findall(f"{{{WSSE}}}Security")) != 1:
        raise LoginRefused("A signed message has exactly one Security header.")
    token = _token(security)
    if len(security.findall(f"{{{DS}}}Signature")) != 1:
        raise LoginRefused("The Security header must hold exactly one ds:Signature.")
    _refers_to(security.find(f"{{{DS}}}Signature"), token)
    required = [envelope.find(f"{{{SOAP_ENV}}}Body")]
    timestamps = security.findall(f"{{{WSU}}}Timestamp")
    if len(timestamps) > 1:
        raise LoginRefused("The Security header holds more than one Timestamp.")
    if timestamps:
        _current(timestamps[0], now or dt.datetime.now(dt.UTC))
        required.append(timestamps[0])
    return authenticator.authenticate(envelope, _certificate_bytes(token), LOCATION, required)


def _token(security):
    tokens = security.findall(f"{{{WSSE}}}BinarySecurityToken")
    if len(tokens) != 1:
        raise LoginRefused("A signed message carries exactly one BinarySecurityToken (the X.509 certificate).")
    token = tokens[0]
    if token.get("ValueType") != X509V3 or token.get("EncodingType", BASE64) != BASE64:
        raise LoginRefused("The BinarySecurityToken must be an X509v3 certificate in Base64Binary.")
    return token


def _certificate_bytes(token) -> bytes:
    try:
        return base64.b64decode("".join((token.text or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise LoginRefused("The BinarySecurityToken is not base64.") from None


def _refers_to(signature, token) -> None:
    """KeyInfo names the token: a SecurityTokenReference whose Reference URI is ``#<the token's wsu:Id>``."""
    references = signature.findall(f"{{{DS}}}KeyInfo/{{{WSSE}}}SecurityTokenReference/{{{WSSE}}}Reference")
    token_id = token.get(f"{{{WSU}}}Id")
    if len(references) != 1 or not token_id or references[0].get("URI") != f"#{token_id}":
        raise LoginRefused("The signature's KeyInfo must refer to the BinarySecurityToken by its wsu:Id.")


def _current(timestamp, now: dt.datetime) -> None:
    created = _instant(timestamp.findtext(f"{{{WSU}}}Created"))
    expires_text = timestamp.findtext(f"{{{WSU}}}Expires")
    if created is None or abs(created - now) > CLOCK_SKEW:
        raise LoginRefused("The Timestamp's Created is missing or more than 5 minutes from the server's clock.")
    if expires_text is not None:
        expires = _instant(expires_text)
        if expires is None or expires <= now:
            raise LoginRefused("The Timestamp has expired.")


def _instant(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None  # xs:dateTime without a zone is no instant
