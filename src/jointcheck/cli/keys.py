"""``jointcheck keys``: create the issuer's keys, rotate signers, revoke, publish the trust list."""

from __future__ import annotations

import base64
from pathlib import Path

import typer

from jointcheck.cli.common import AtOption, console, instant, usage_error
from jointcheck.errors import JointcheckError
from jointcheck.keystore import (
    GROUPS,
    KeyStore,
    add_signer,
    init_keystore,
    open_keystore,
    passphrase_from,
    publish_trust_list,
    retire_signer,
    revoke,
)
from jointcheck.trust.issuer import IssuerProfile
from jointcheck.trust.trustlist import fingerprint
from jointcheck.trust.usage import usages_of

app = typer.Typer(help="The issuer's signing keys and the trust list verifiers load.",
                  no_args_is_help=True)
DirOption = typer.Option(..., "--dir", help="The key store folder (KEYDIR).")
PassphraseFileOption = typer.Option(
    None, "--passphrase-file", help="File holding the key passphrase (else the environment "
    "variable JOINTCHECK_KEY_PASSPHRASE, else a prompt).")


def passphrase(file: Path | None, confirm: bool = False) -> bytes:
    """Return the key passphrase from a file, the environment, or a prompt on a terminal."""
    value = passphrase_from(file)
    if value is not None:
        return value
    if not typer.get_text_stream("stdin").isatty():
        usage_error("no key passphrase: set JOINTCHECK_KEY_PASSPHRASE or pass --passphrase-file")
    return str(typer.prompt("Key passphrase", hide_input=True,
                            confirmation_prompt=confirm)).encode()


def open_store(directory: Path, secret: bytes) -> KeyStore:
    """Open the key store or exit with a clear message."""
    try:
        return open_keystore(directory, secret)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")


@app.command("init")
def init(
    directory: Path = DirOption,
    country: str = typer.Option("CN", help="ISO 3166 country code of the issuer."),
    name: str = typer.Option("Fangzi District CDC", help="The issuing authority's name."),
    code: str = typer.Option("FZCDC", help="Short issuer code used in certificate ids."),
    algorithm: str = typer.Option("ES256", help="ES256 (P-256) or PS256 (RSA 3072)."),
    passphrase_file: Path | None = PassphraseFileOption,
    at: str | None = AtOption,
) -> None:
    """Create a trust anchor, one signer per credential group, and a signed trust list."""
    secret = passphrase(passphrase_file, confirm=True)
    try:
        store = init_keystore(directory, secret, instant(at),
                              IssuerProfile(country.upper(), name, code.upper()), algorithm)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    console.print(f"key store created in {directory}")
    _print_signers(store)
    console.print(f"trust list: {store.trust_list_path} "
                  f"(anchor sha256 {fingerprint(store.anchor)})")


@app.command("rotate")
def rotate(
    directory: Path = DirOption,
    group: str = typer.Option(..., help=f"Signer group to rotate: {', '.join(GROUPS)}."),
    retire: str | None = typer.Option(None, help="Also drop this signer label from the trust "
                                      "list (a compromised key)."),
    passphrase_file: Path | None = PassphraseFileOption,
    at: str | None = AtOption,
) -> None:
    """Add a new signer for a group; old certificates keep verifying unless retired."""
    secret = passphrase(passphrase_file)
    store = open_store(directory, secret)
    when = instant(at)
    try:
        label = add_signer(store, group, secret, when)
        if retire:
            retire_signer(store, retire)
    except JointcheckError as exc:
        usage_error(f"{exc.message} ({exc.code})")
    publish_trust_list(store, when)
    console.print(f"new signer {label}; trust list sequence {store.meta['sequence']}")
    _print_signers(store)


@app.command("revoke")
def revoke_command(
    certificate_ids: list[str] = typer.Argument(..., help="Certificate ids (UVCI) to revoke."),
    directory: Path = DirOption,
    passphrase_file: Path | None = PassphraseFileOption,
    at: str | None = AtOption,
) -> None:
    """Revoke certificates by id; the trust list carries only their hashes."""
    store = open_store(directory, passphrase(passphrase_file))
    hashes = revoke(store, certificate_ids)
    publish_trust_list(store, instant(at))
    for cid, digest in zip(certificate_ids, hashes, strict=True):
        console.print(f"revoked {cid} (hash {digest})")


@app.command("publish")
def publish(
    directory: Path = DirOption,
    passphrase_file: Path | None = PassphraseFileOption,
    at: str | None = AtOption,
) -> None:
    """Sign a fresh trust list (a new sequence number and next-update time)."""
    store = open_store(directory, passphrase(passphrase_file))
    path = publish_trust_list(store, instant(at))
    console.print(f"{path}: sequence {store.meta['sequence']}")


@app.command("list")
def list_signers(
    directory: Path = DirOption,
    passphrase_file: Path | None = PassphraseFileOption,
) -> None:
    """Show the signers, their kids, usages and validity."""
    _print_signers(open_store(directory, passphrase(passphrase_file)))


def _print_signers(store: KeyStore) -> None:
    for label, signer in store.signers:
        cert = signer.certificate
        usages = ",".join(sorted(u.value for u in usages_of(cert)))
        console.print(f"  {label:28} kid {base64.b64encode(signer.kid).decode()}  {usages:28} "
                      f"{cert.not_valid_before_utc:%Y-%m-%d} – {cert.not_valid_after_utc:%Y-%m-%d}")
