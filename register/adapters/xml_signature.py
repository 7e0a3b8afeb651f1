"""Enveloped XML Signatures (XML-DSig) of whole documents, made and checked by signxml.

What the service signs (vouchers, CONTRACT.md section 6) carries one
``ds:Signature`` as the root's last child: exclusive C14N, SHA-256 digests, RSA
or ECDSA with SHA-256, one reference to the whole document (URI ""), the
certificate in ``KeyInfo/X509Data``. Any standard verifier (xmlsec1, signxml,
Java's and .NET's) checks it; canonicalisation is signxml's, never ours.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import CanonicalizationMethod, DigestAlgorithm, SignatureMethod, XMLSigner, XMLVerifier, methods
from signxml.exceptions import InvalidInput, SignXMLException
from signxml.verifier import SignatureConfiguration

from register import safe_xml
from register.adapters.signing import SigningKey

DS = "http://www.w3.org/2000/09/xmldsig#"
EXCLUSIVE_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0

# SHA-256 or stronger, RSA or ECDSA: no SHA-1, no HMAC, no DSA
SIGNATURE_METHODS = frozenset(
    {
        SignatureMethod.RSA_SHA256,
        SignatureMethod.RSA_SHA384,
        SignatureMethod.RSA_SHA512,
        SignatureMethod.ECDSA_SHA256,
        SignatureMethod.ECDSA_SHA384,
        SignatureMethod.ECDSA_SHA512,
    }
)
DIGEST_ALGORITHMS = frozenset({DigestAlgorithm.SHA256, DigestAlgorithm.SHA384, DigestAlgorithm.SHA512})


class BadSignature(Exception):
    """The signature is missing, malformed, made with a refused algorithm, or does not verify."""


@dataclass(frozen=True)
class Verified:
    signed: etree._Element  # the document as signed (without its Signature): read the facts from here
    certificate: x509.Certificate


def sign_enveloped(root: etree._Element, key: SigningKey) -> bytes:
    """``root`` with its Signature appended, serialised (UTF-8, with the XML declaration)."""
    rsa_key = isinstance(key.key, rsa.RSAPrivateKey)
    signer = XMLSigner(
        method=methods.enveloped,
        signature_algorithm=SignatureMethod.RSA_SHA256 if rsa_key else SignatureMethod.ECDSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=EXCLUSIVE_C14N,
    )
    signer.namespaces = {"ds": DS}
    signed = signer.sign(root, key=key.key, cert=[key.certificate])
    # The certificate outside SignedInfo, on one line: no whitespace a byte could change unnoticed
    for certificate in signed.iterfind(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate"):
        certificate.text = "".join(certificate.text.split())
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def embedded_certificate(root: etree._Element) -> x509.Certificate:
    """The certificate in the root's Signature's KeyInfo/X509Data."""
    found = root.findall(f"{{{DS}}}Signature/{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    if len(found) != 1:
        raise BadSignature("no XML signature with one X.509 certificate at the end of the document")
    try:
        certificate = x509.load_der_x509_certificate(
            base64.b64decode("".join((found[0].text or "").split()), validate=True)
        )
        # KeyInfo is outside what XML-DSig signs: parse it whole, and a self-signed one must verify itself
        if certificate.issuer == certificate.subject:
            certificate.verify_directly_issued_by(certificate)
        certificate.not_valid_after_utc  # noqa: B018 - parsed now, not lazily later
    except (ValueError, TypeError, x509.InvalidVersion, UnsupportedAlgorithm, InvalidSignature):
        raise BadSignature("the signature's X509Certificate is not a valid certificate") from None
    return certificate


def verify_enveloped(data: bytes, certificate: x509.Certificate | None = None) -> Verified:
    """The signed document, when ``data`` carries a valid enveloped signature of the whole document by
    ``certificate`` (default: the certificate it carries, which must then be the one given elsewhere)."""
    try:
        root = safe_xml.fromstring(data)
    except etree.XMLSyntaxError as error:
        raise BadSignature(f"not well-formed XML ({error.msg})") from None
    if safe_xml.has_doctype(root.getroottree()):
        raise BadSignature("a DOCTYPE is not allowed")
    carried = embedded_certificate(root)
    if certificate is not None and carried != certificate:
        raise BadSignature("signed with another certificate than the one given")
    config = SignatureConfiguration(
        location="./",
        expect_references=1,
        signature_methods=SIGNATURE_METHODS,
        digest_algorithms=DIGEST_ALGORITHMS,
    )
    try:
        result = XMLVerifier().verify(root, x509_cert=certificate or carried, expect_config=config)
    except (
        SignXMLException,
        InvalidInput,
        ValueError,
        etree.LxmlError,
        UnsupportedAlgorithm,
        x509.InvalidVersion,
    ) as error:
        raise BadSignature(f"the XML signature does not verify ({_one_line(error)})") from None
    reference = root.find(f"{{{DS}}}Signature/{{{DS}}}SignedInfo/{{{DS}}}Reference")
    if reference is None or reference.get("URI") != "":
        raise BadSignature("the signature does not cover the whole document")
    return Verified(result.signed_xml, certificate or carried)


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def signature_algorithms(signature: etree._Element) -> set[str]:
    """The SignatureMethod and DigestMethod algorithms a ds:Signature names."""
    found = signature.iterfind(f".//{{{DS}}}SignatureMethod"), signature.iterfind(f".//{{{DS}}}DigestMethod")
    return {element.get("Algorithm", "") for elements in found for element in elements}


def verify_references(root: etree._Element, certificate: x509.Certificate, location: str) -> list[etree._Element]:
    """The elements of ``root`` that the ds:Signature at ``location`` (an XPath ending in "/") covers, once
    that signature verifies with ``certificate``: each reference is an ``#id`` naming exactly one element
    by an attribute whose local name is Id (wsu:Id), resolved here as signxml resolved it."""
    config = SignatureConfiguration(
        location=location,
        expect_references=True,
        signature_methods=SIGNATURE_METHODS,
        digest_algorithms=DIGEST_ALGORITHMS,
    )
    try:
        XMLVerifier().verify(root, x509_cert=certificate, expect_config=config, id_attribute="Id")
    except (SignXMLException, InvalidInput, ValueError, etree.LxmlError, UnsupportedAlgorithm) as error:
        raise BadSignature(f"the XML signature does not verify ({_one_line(error)})") from None
    signature = root.find(f"{location}{{{DS}}}Signature")
    covered = []
    for reference in signature.iterfind(f"{{{DS}}}SignedInfo/{{{DS}}}Reference"):
        uri = reference.get("URI") or ""
        found = root.xpath("//*[@*[local-name() = 'Id'] = $id]", id=uri[1:]) if uri.startswith("#") else []
        if len(found) != 1:
            raise BadSignature(f"the reference {uri!r} does not name one element")
        covered.append(found[0])
    return covered
