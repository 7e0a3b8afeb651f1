"""`raas voucher certificate|verify`: the signing certificate for recipients, and a voucher checked (CONTRACT.md 6)."""

from __future__ import annotations

import sys
from pathlib import Path

from register.cli.common import Failure
from register.config import Settings


def cmd_certificate(args, settings: Settings) -> None:
    from register import bootstrap

    try:
        key = bootstrap.signing_key(settings)
    except ValueError as error:
        raise Failure(str(error)) from None
    sys.stdout.write(key.certificate_pem.decode())
    print(f"SHA-256 fingerprint {key.fingerprint}", file=sys.stderr)


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise Failure(f"{path}: cannot read the {what} ({error.strerror or error})") from None


def cmd_verify(args, settings: Settings) -> None:
    from register.services import vouchers

    certificate = None
    if args.cert:
        from register import bootstrap

        try:
            certificate = bootstrap.certificate_file(Path(args.cert))
        except ValueError as error:
            raise Failure(str(error)) from None
    voucher = _read(args.voucher, "voucher")
    data = _read(args.data, "data file") if args.data else None
    try:
        checked = vouchers.verify(voucher, data, certificate)
    except vouchers.VoucherRefused as error:
        raise Failure(f"{args.voucher}: {error}") from None
    what = f"{checked.file_name}: {checked.size_bytes} bytes, sha256 {checked.sha256}" if args.data else "signature"
    print(f"{args.voucher}: OK ({what}; signed by {checked.signer_subject}, SHA-256 {checked.signer_fingerprint})")


def add_commands(groups) -> None:
    voucher = groups.add_parser("voucher", help="signed vouchers: the certificate, a voucher checked").add_subparsers(
        dest="action", required=True
    )
    certificate = voucher.add_parser(
        "certificate", help="print the certificate (PEM) that signs the vouchers, for recipients"
    )
    certificate.set_defaults(run=cmd_certificate)
    verify = voucher.add_parser(
        "verify",
        help="check a voucher's XML signature and, with --data, the data file's size and SHA-256",
        description="Exit 0 when the voucher's enveloped XML signature verifies (by the certificate of --cert "
        "when given, else by the one it carries) and, with --data, when the file's size and SHA-256 are "
        "the ones the signed voucher states; else exit 1 with a one-line reason.",
    )
    verify.add_argument("voucher", metavar="VOUCHER", help="RAAS_<bce>_<flow>_<yyyymmdd>.voucher.xml")
    verify.add_argument("--data", metavar="FILE", help="the data file the voucher describes")
    verify.add_argument("--cert", metavar="PEM", help="the signing certificate the voucher must carry")
    verify.set_defaults(run=cmd_verify)
