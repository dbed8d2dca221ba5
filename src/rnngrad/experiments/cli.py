"""The command line of the experiments: ``python -m rnngrad.experiments``.

``run`` (the default) computes the chapter's experiment set, or the part the filters select,
into the cache with a progress bar; ``list`` prints each configuration and whether the cache
holds it; ``clear`` removes the cache of this library's code, or of every version with
``--all``.  The cache directory is ``--cache-dir``, else ``$RNNGRAD_EXPERIMENT_CACHE``, else
``_build/experiments`` -- where the book's build looks for it too, so that a build after
``run`` reads every result from the cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .cache import CACHE_ENV, cache_path, library_dir, library_dirs, load
from .chapter import chapter_experiments
from .config import TASKS, ExperimentConfig
from .models import MODELS
from .runner import complete, describe, keep_freed_memory

PROG = "python -m rnngrad.experiments"
COMMANDS = ("run", "list", "clear")
#: The cache directory when neither ``--cache-dir`` nor the environment names one: the one
#: the book's build uses (``rnngrad_book.execution``), relative to the project's root.
DEFAULT_CACHE_DIR = Path("_build") / "experiments"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    A bad option exits with status 2 and argparse's message; a failure (an unwritable cache
    directory, a run that raised, a worker that died) prints one line naming it on stderr and
    returns 1; Ctrl-C returns 130, keeping every result stored so far.
    """
    args = _parser().parse_args(_with_command(sys.argv[1:] if argv is None else list(argv)))
    command: Callable[[argparse.Namespace], None] = args.command
    try:
        command(args)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; the results stored so far stay cached", file=sys.stderr)
        return 130
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    return 0


def _with_command(argv: list[str]) -> list[str]:
    """``argv`` with ``run`` in front unless it names a command (or asks for help)."""
    if argv and (argv[0] in COMMANDS or argv[0] in {"-h", "--help"}):
        return argv
    return ["run", *argv]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG, description="Run, list or clear the chapter's training experiments."
    )
    cache = argparse.ArgumentParser(add_help=False)
    cache.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help=f"the cache directory (default: ${CACHE_ENV}, else {DEFAULT_CACHE_DIR})",
    )
    select = argparse.ArgumentParser(add_help=False)
    select.add_argument(
        "--only",
        type=_models,
        metavar="MODEL[,MODEL]",
        help=f"only these models ({', '.join(MODELS)})",
    )
    select.add_argument("--task", choices=TASKS, help="only this task")
    select.add_argument(
        "--seeds", type=_positive, metavar="N", help="only the first N seeds of the set"
    )
    commands = parser.add_subparsers(metavar="{run,list,clear}")
    run = commands.add_parser(
        "run", parents=[select, cache], help="compute what the cache misses (the default)"
    )
    run.add_argument(
        "--jobs", type=_positive, default=2, metavar="N", help="worker processes (default: 2)"
    )
    run.set_defaults(command=_run)
    listing = commands.add_parser(
        "list", parents=[select, cache], help="print the configurations and which are cached"
    )
    listing.set_defaults(command=_list)
    clear = commands.add_parser("clear", parents=[cache], help="remove cached results")
    clear.add_argument(
        "--all", action="store_true", help="also the results of earlier versions of the library"
    )
    clear.set_defaults(command=_clear)
    return parser


def _models(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(","))
    unknown = [name for name in names if name not in MODELS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown model {unknown[0]!r}; expected a comma-separated list of {', '.join(MODELS)}"
        )
    return names


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {text!r}")
    return value


def _cache_dir(args: argparse.Namespace) -> Path:
    chosen: Path | None = args.cache_dir
    return chosen or Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def _selected(args: argparse.Namespace) -> list[ExperimentConfig]:
    """The chapter's configurations that the filters of ``args`` let through."""
    configs = chapter_experiments()
    if args.only:
        configs = [c for c in configs if c.model in args.only]
    if args.task:
        configs = [c for c in configs if c.task == args.task]
    if args.seeds:
        first = sorted({c.seed for c in configs})[: args.seeds]
        configs = [c for c in configs if c.seed in first]
    if not configs:
        raise ValueError("no experiment of the chapter's set has this model and task")
    return configs


def _run(args: argparse.Namespace) -> None:
    directory = _cache_dir(args)
    configs = _selected(args)
    keep_freed_memory()  # for the runs this process computes itself (--jobs 1)
    computed = complete(configs, directory, jobs=args.jobs, progress=True)
    print(f"{len(configs)} runs cached in {library_dir(directory)} ({computed} computed now)")


def _list(args: argparse.Namespace) -> None:
    directory = _cache_dir(args)
    configs = _selected(args)
    cached = 0
    for config in configs:
        result = load(cache_path(config, directory), config)
        if result is None:
            state = "missing"
        else:
            cached += 1
            solved = result.history.solved_step
            state = "not solved" if solved is None else f"solved at step {solved}"
        print(f"{state:22s} {describe(config)}")
    print(f"{len(configs)} runs, {cached} cached in {library_dir(directory)}")


def _clear(args: argparse.Namespace) -> None:
    directory = _cache_dir(args)
    folders = library_dirs(directory) if args.all else [library_dir(directory)]
    removed = 0
    for folder in folders:
        if folder.is_dir():
            removed += sum(1 for _ in folder.glob("*.rnnexp"))
            shutil.rmtree(folder)
    print(f"removed {removed} cached results from {directory}")
