"""Exports of a package imported on first use (PEP 562).

``import rnngrad.plots.activations`` runs ``rnngrad/__init__.py`` and
``rnngrad/plots/__init__.py`` first; the names those re-export from the training stack are
imported only when someone asks for them, so a figure of activations does not import it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping, Sequence
from types import ModuleType


def lazy_exports(
    package: str, exports: Mapping[str, Sequence[str]]
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """Return the ``__getattr__`` and ``__dir__`` of a package with lazy exports.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : mapping of str to sequence of str
        Submodule name → the names the package exports from it.  Each name is imported
        from its submodule the first time it is asked for, and each submodule too.

    Returns
    -------
    tuple of callable
        ``__getattr__`` and ``__dir__``, to be bound at the package's top level.
    """
    origin = {name: module for module, names in exports.items() for name in names}
    namespace = sys.modules[package]

    class Package(ModuleType):
        def __setattr__(self, name: str, value: object) -> None:
            # Importing a submodule binds it on its package. rnngrad.train is both a module
            # and the function the package exports; the export keeps the name, as it did
            # when the package imported it eagerly.
            if not (name in origin and isinstance(value, ModuleType)):
                super().__setattr__(name, value)

    namespace.__class__ = Package

    def __getattr__(name: str) -> object:
        if name in origin:
            value = getattr(importlib.import_module(f"{package}.{origin[name]}"), name)
        elif name in exports:
            value = importlib.import_module(f"{package}.{name}")
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(namespace, name, value)  # asked once: later lookups find it directly
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(namespace), *origin, *exports})

    return __getattr__, __dir__
