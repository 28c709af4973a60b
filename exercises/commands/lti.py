"""`cnnquiz lti config|keygen`: what to register in the LMS, and the tool's signing key (LTI 1.3)."""

from __future__ import annotations

import argparse
from typing import Any

from exercises.commands.common import EXIT_OK, UsageError


def cmd_config(args: argparse.Namespace) -> int:
    import json

    from web.lti.tool_config import tool_config

    base = args.base_url or _bank_base_url(args.bank)
    if not base.startswith(("https://", "http://")) or any(c.isspace() or c in "<>\"'`" for c in base):
        raise UsageError(f"--base-url {base!r}: give the https:// address students reach `cnnquiz serve` at")
    config = tool_config(base.rstrip("/"), args.title)
    if args.json:
        print(json.dumps(config, indent=2))
        return EXIT_OK
    print(f"""Register cnnquiz in the LMS as an LTI 1.3 tool with:
  login initiation URL (OIDC login):  {config['login_initiation_url']}
  redirect URIs:                      {config['redirect_urls'].replace(' ', ', ')}
  target link / launch URL:           {config['launch_url']}
  public keyset URL (JWK Set):        {config['jwks_url']}
  deep linking URL (content item):    {config['deep_linking_url']}
  services: grades (AGS: line items and scores), names and roles (NRPS); share name, email and SIS id
Then copy the platform's issuer, client ID, deployment ID and its three URLs into the bank's lti: list
(README, "Launched from the LMS").

Canvas: Admin > Developer Keys > + Developer Key > + LTI Key > Method "Paste JSON":""")
    print(json.dumps(config["canvas_developer_key"], indent=2))
    return EXIT_OK


def _bank_base_url(bank: str | None) -> str:
    from exercises.bank import load_bank

    base = load_bank(bank).base_url
    if not base:
        raise UsageError("lti config needs --base-url URL (or web: {base_url: URL} in the bank): the address "
                         "the LMS and the students reach `cnnquiz serve` at")
    return base


def cmd_keygen(args: argparse.Namespace) -> int:
    from pathlib import Path

    from exercises.bank import BANK_FILE
    from web.lti.keys import KeyFileMissing, rotate
    from web.settings import LTI_KEY_FILE

    bank = Path(args.bank) if args.bank else Path.cwd() / BANK_FILE
    if not bank.is_file():
        raise UsageError(f"{bank}: no bank here; run lti keygen in the course folder or pass --bank FILE "
                         f"(the key is kept beside it, as {LTI_KEY_FILE})")
    path = bank.parent / LTI_KEY_FILE
    try:
        keys = rotate(path, retire_old=args.retire_old)
    except KeyFileMissing as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    print(f"{path}: {len(keys.keys)} key(s); signing with kid {keys.signing.kid}")
    if len(keys.keys) > 1:
        print("the older keys stay in the JWK Set until the LMSs have fetched the new one (a day is plenty); then "
              "run `cnnquiz lti keygen --retire-old`")
    ignore = bank.parent / ".gitignore"
    if not ignore.is_file() or LTI_KEY_FILE not in ignore.read_text(encoding="utf-8", errors="replace").split():
        print(f"keep it out of git: add {LTI_KEY_FILE} to {ignore}")
    print("running `cnnquiz serve` processes use the new key at once; copy the file to the other machines")
    return EXIT_OK


def add(commands: Any) -> None:
    p = commands.add_parser("lti", help="LTI 1.3: what to register in the LMS, and the tool's signing key",
                            description="Launch the answer pages from an LMS (Moodle, Canvas, Brightspace, …) and "
                            "send the scores to its gradebook. The bank's lti: lists the platforms.")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    config = actions.add_parser("config", help="print the URLs to register in the LMS, and Canvas's developer key",
                                description="Print the tool's fixed LTI URLs for BASE_URL and the JSON of a Canvas "
                                "developer key.")
    config.add_argument("--base-url", help="where `cnnquiz serve` is reached, e.g. https://quiz.example.edu "
                        "(default: the bank's web: base_url)")
    config.add_argument("--bank", help="question bank (default ./question_bank.yaml), for its base_url")
    config.add_argument("--title", default="cnnquiz", help="the tool's name in the LMS (default cnnquiz)")
    config.add_argument("--json", action="store_true", help="print everything as one JSON object")
    config.set_defaults(run=cmd_config)
    keygen = actions.add_parser("keygen", help="make (or rotate) the tool's signing key",
                                description="Add a new RSA signing key to lti-keys.json beside the bank (made if "
                                "missing; readable by its owner only; keep it out of git). The older keys stay "
                                "published in /lti/jwks until --retire-old.")
    keygen.add_argument("--bank", help="question bank (default ./question_bank.yaml): the key goes beside it")
    keygen.add_argument("--retire-old", action="store_true", help="keep only the newest key (no new key)")
    keygen.set_defaults(run=cmd_keygen)
