"""Test harness: simulate a platform without fork (Windows) on Linux.

With XLTOOLS_SIMULATE_NOFORK=1 and this folder on PYTHONPATH, every Python process (pytest,
the CLI the tests start, the workers multiprocessing spawns) starts with:

* multiprocessing offering only spawn: get_all_start_methods() == ["spawn"],
  get_context("fork") raises ValueError, the default context is spawn;
* os.fork, os.O_NOFOLLOW, os.O_DIRECTORY, os.O_CLOEXEC, os.O_NONBLOCK, os.sync and
  os.killpg gone, os.supports_dir_fd empty;
* `import resource` failing with ModuleNotFoundError (psutil, imported first, keeps the
  copy its Linux backend needs: on Windows psutil works without it).

Test code only: xltools itself never imports this. tests/conftest.py applies it to the
pytest process too when the variable is set, and puts this folder on PYTHONPATH for the
processes the tests start.
"""
from __future__ import annotations

import os
import sys

ENV = "XLTOOLS_SIMULATE_NOFORK"
REMOVED = ("fork", "O_NOFOLLOW", "O_DIRECTORY", "O_CLOEXEC", "O_NONBLOCK", "sync", "killpg")
BLOCKED_MODULES = frozenset({"resource"})


def wanted() -> bool:
    """Whether the environment asks for the simulation."""
    return os.environ.get(ENV, "").strip() not in ("", "0")


class _Blocker:
    """A meta-path finder that makes the POSIX-only modules unimportable."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name in BLOCKED_MODULES:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _spawn_only() -> None:
    import multiprocessing
    from multiprocessing import context

    spawn = context._concrete_contexts["spawn"]
    for name in list(context._concrete_contexts):
        if name != "spawn":
            del context._concrete_contexts[name]  # BaseContext.get_context -> ValueError
    context.DefaultContext.get_all_start_methods = lambda self: ["spawn"]
    default = context._default_context
    default._default_context = spawn
    if default._actual_context is not None and default._actual_context is not spawn:
        default._actual_context = None
    # multiprocessing's module-level functions are bound methods taken at import time
    multiprocessing.get_all_start_methods = default.get_all_start_methods


def apply() -> bool:
    """Install the simulation in this process (idempotent); True when it is in force."""
    if not hasattr(os, "fork") and any(isinstance(f, _Blocker) for f in sys.meta_path):
        return True
    try:  # psutil's Linux backend needs `resource`; on Windows psutil has its own backend
        import psutil  # noqa: F401
    except ImportError:
        pass
    for name in REMOVED:
        if hasattr(os, name):
            delattr(os, name)
    os.supports_dir_fd.clear()
    for name in BLOCKED_MODULES:
        sys.modules.pop(name, None)
    sys.meta_path.insert(0, _Blocker())
    _spawn_only()
    return True


if wanted():
    apply()
