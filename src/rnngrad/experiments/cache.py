"""The on-disk cache of results: one checksummed file per configuration, written atomically.

A result is stored in ``<cache_dir>/<library key>/<config key>.rnnexp``: magic bytes, the
SHA-256 of the payload, and the payload, an ``.npz`` of the history, the parameters and a
JSON record of the rest.  A reader treats a file that is truncated, corrupt or for another
configuration as missing.  A lock file beside each result lets one process compute it while
any other that wants it waits; a run of many configurations holds one lock for the whole
folder (``run.lock``) instead.  The locks are ``flock`` locks, which the system releases
when their process dies, so a killed run leaves none held.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from filelock import FileLock
from numpy.lib.npyio import NpzFile

from ..provenance import source_hash
from ..train import History
from .config import ExperimentConfig, check_config
from .result import ExperimentResult

# Documented where the package exports it (__init__.py).
CACHE_ENV = "RNNGRAD_EXPERIMENT_CACHE"

_MAGIC = b"RNNGEXP1"  # the first bytes of a cache file, then the SHA-256 of the rest
_LIBRARY_KEY = re.compile("[0-9a-f]{16}")


def cache_path(config: ExperimentConfig, cache_dir: str | os.PathLike[str]) -> Path:
    """Return the file under ``cache_dir`` that holds (or will hold) the result of ``config``."""
    check_config(config)
    return library_dir(cache_dir) / f"{config.key()[:32]}.rnnexp"


def library_dir(cache_dir: str | os.PathLike[str]) -> Path:
    """Return the folder of ``cache_dir`` that holds the results of this library's code."""
    # The library key covers the code that computes a result: the runner and all it imports.
    return Path(cache_dir) / source_hash("experiments.runner")[:16]


def library_dirs(cache_dir: str | os.PathLike[str]) -> list[Path]:
    """Return the folders of ``cache_dir`` named like a library key: this library's and older."""
    root = Path(cache_dir)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and _LIBRARY_KEY.fullmatch(p.name))


def check_writable(cache_dir: Path) -> None:
    """Raise an OSError naming ``cache_dir`` unless a result can be stored in it.

    Called before any training starts, so that a wrong path fails at once and not after the
    first result is computed.
    """
    try:
        folder = library_dir(cache_dir)
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise OSError(
            exc.errno, f"cache_dir {str(cache_dir)!r} cannot be written: {exc.strerror}"
        ) from exc


def resolve_cache_dir(cache_dir: str | os.PathLike[str] | None) -> Path | None:
    """Return ``cache_dir``, or ``$RNNGRAD_EXPERIMENT_CACHE`` if it is None; None: no cache."""
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_ENV) or None
    if cache_dir is not None and not isinstance(cache_dir, str | os.PathLike):
        raise TypeError(f"cache_dir must be a path or None, got {type(cache_dir).__name__}")
    return None if cache_dir is None else Path(cache_dir)


def lock(path: Path) -> FileLock:
    """Return the lock of the result file ``path``: held while its result is computed.

    A second process (say, the build of the other language) that wants the same result
    meanwhile waits for it instead of computing it again.  ``filelock`` uses ``flock`` on
    POSIX and ``msvcrt.locking`` on Windows.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(path.with_name(path.name + ".lock"))


def run_lock(cache_dir: Path) -> FileLock:
    """Return the lock a run of many configurations holds while it computes into ``cache_dir``.

    Its results are stored by the process that holds it, one by one as they come; a second
    run that wants some of them meanwhile (the other edition's build) waits, then reads them
    instead of computing them again.
    """
    folder = library_dir(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return FileLock(folder / "run.lock")


def load(path: Path, config: ExperimentConfig) -> ExperimentResult | None:
    """Return the result stored at ``path`` if it is intact and computed for ``config``."""
    with _archive(path, config) as opened:
        return None if opened is None else _decode(*opened, config)


def holds(path: Path, config: ExperimentConfig) -> bool:
    """Return whether ``path`` holds the intact result of ``config``.

    It checks what :func:`load` checks (checksum and configuration) without decoding the
    arrays: a warm run that only makes sure everything is cached reads no more than that.
    """
    with _archive(path, config) as opened:
        return opened is not None


def store(path: Path, result: ExperimentResult) -> None:
    """Write atomically: a temporary file in the same directory, then a rename.

    An interruption (an exception, Ctrl-C) removes the temporary file; only a process killed
    between the two steps leaves one, which no reader opens and ``clear`` removes.
    """
    data = _encode(result)  # before the file exists: a kill while encoding leaves nothing
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _encode(result: ExperimentResult) -> bytes:
    """The bytes of a cache file: magic, SHA-256 of the payload, payload (an .npz)."""
    history = dataclasses.asdict(result.history)
    meta = {
        "config": dataclasses.asdict(result.config),
        "solved_step": history.pop("solved_step"),
        "diverged": history.pop("diverged"),
        "success": result.success,
        "final_metric": result.final_metric,
        "seconds": result.seconds,
    }
    arrays = {f"history.{k}": v for k, v in history.items()}
    arrays |= {f"param.{k}": v for k, v in result.parameters.items()}
    buffer = io.BytesIO()
    np.savez(buffer, meta=np.array(json.dumps(meta)), **arrays)
    payload = buffer.getvalue()
    return _MAGIC + hashlib.sha256(payload).digest() + payload


@contextlib.contextmanager
def _archive(path: Path, config: ExperimentConfig) -> Iterator[tuple[NpzFile, Any] | None]:
    """The open .npz of ``path`` and its record, if the file is intact and was computed for
    ``config``; else None."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):  # the latter: cache_dir under a file
        data = b""
    head = len(_MAGIC)
    payload = data[head + 32 :]
    if data[:head] != _MAGIC or data[head : head + 32] != hashlib.sha256(payload).digest():
        yield None
        return
    with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
        meta = json.loads(str(npz["meta"]))
        yield (npz, meta) if meta["config"] == dataclasses.asdict(config) else None


def _decode(npz: NpzFile, meta: Any, config: ExperimentConfig) -> ExperimentResult:
    """The result of ``config`` in an archive that :func:`_archive` opened for it."""
    arrays = {name: npz[name] for name in npz.files if name != "meta"}
    history = History(
        **{k.removeprefix("history."): v for k, v in arrays.items() if k.startswith("history.")},
        solved_step=meta["solved_step"],
        diverged=meta["diverged"],
    )
    parameters = {k.removeprefix("param."): v for k, v in arrays.items() if k.startswith("param.")}
    return ExperimentResult(
        config, history, parameters, meta["success"], meta["final_metric"], meta["seconds"]
    )
