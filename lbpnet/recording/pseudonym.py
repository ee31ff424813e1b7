"""Pseudonyms for subject identifiers: a keyed hash, with the key in a file the user owns.

A raw identifier read from a file (an EDF+ patient code such as a hospital record
number, or a file name) never becomes a subject id as it is. It is replaced by

    HMAC-SHA256(key, "lbpnet-subject-v1" + identifier)  ->  the first 8 hex digits

so ``"MRN-0048213"`` becomes e.g. ``"3f9a1c2e"`` (recording key ``sub-3f9a1c2e``).
The same identifier under the same key always gives the same pseudonym (across
files, runs and machines that share the key); without the key the pseudonym
cannot be traced back by trying every record number, as a plain hash could.
8 hex digits are 32 bits: two of 1 000 subjects share one with probability ~1e-4.

The key (32 random bytes, hex) lives in, first found:

1. the ``key_file`` argument of the reader (``data.pseudonym_key=PATH``);
2. the ``LBPNET_PSEUDONYM_KEY_FILE`` environment variable;
3. ``$XDG_CONFIG_HOME/lbpnet/pseudonym.key`` (default ``~/.config/lbpnet/pseudonym.key``).

It is created on first use, readable by its owner only (mode 0600), atomically: two
processes starting at once end up with the same key. Copy the file to another machine
(keep its mode) to get the same pseudonyms there; lose it and the pseudonyms change.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import warnings
from pathlib import Path

from lbpnet.errors import ConfigError

ENV_VAR = "LBPNET_PSEUDONYM_KEY_FILE"
LENGTH = 8                        # hex digits of the pseudonym
_DOMAIN = b"lbpnet-subject-v1\x00"
_KEY_BYTES = 32


def key_path(key_file: str | os.PathLike | None = None) -> Path:
    """Where the pseudonym key is read from (argument, then ``$LBPNET_PSEUDONYM_KEY_FILE``,
    then ``$XDG_CONFIG_HOME/lbpnet/pseudonym.key``, ``~/.config/lbpnet/pseudonym.key``)."""
    if key_file is not None and str(key_file) != "":
        return Path(key_file).expanduser()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(config) / "lbpnet" / "pseudonym.key"


def _create(path: Path) -> None:
    """Write a new random key to ``path`` (0600) unless a key appears there first."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)             # fails if another process made the key first
        except FileExistsError:
            pass
    finally:
        os.unlink(tmp)


def load_key(key_file: str | os.PathLike | None = None) -> bytes:
    """The pseudonym key (bytes), created at :func:`key_path` on first use.

    Raises
    ------
    ConfigError
        The key file cannot be created or read, or does not hold a hex key of
        at least 16 bytes.
    """
    path = key_path(key_file)
    fix = (f"point {ENV_VAR} (or data.pseudonym_key) at a writable file, or restore the "
           "key file you used before (pseudonyms depend on it)")
    try:
        if not path.exists():
            _create(path)
        text = path.read_text(encoding="ascii").strip()
        mode = stat.S_IMODE(path.stat().st_mode)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"pseudonym key cannot be created or read ({exc})", source=str(path),
                          field="pseudonym_key", fix=fix) from exc
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) < 16:
        raise ConfigError("pseudonym key is not a hex string of at least 32 digits",
                          source=str(path), field="pseudonym_key", fix=fix)
    if mode & 0o077:
        warnings.warn(f"{path}: the pseudonym key is readable by other users (mode "
                      f"{mode:o}); run `chmod 600 {path}`", stacklevel=2)
    return key


def pseudonym(identifier: str, key_file: str | os.PathLike | None = None,
              key: bytes | None = None) -> str:
    """The pseudonym (``LENGTH`` lower-case hex digits) of a raw identifier.

    Parameters
    ----------
    identifier : str
        E.g. an EDF+ patient code; compared after stripping surrounding white
        space and case-folding (``" mrn-0048213"`` is ``"MRN-0048213"``).
    key_file : str or Path, optional
        Key file (see :func:`key_path`); ignored when ``key`` is given.
    key : bytes, optional
        The key itself (as :func:`load_key` returns it).
    """
    key = load_key(key_file) if key is None else key
    text = str(identifier).strip().casefold().encode("utf-8")
    return hmac.new(key, _DOMAIN + text, hashlib.sha256).hexdigest()[:LENGTH]
