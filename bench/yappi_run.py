"""Run a module under yappi (every thread, CPU clock) and save its profile at exit: cProfile
sees only the main thread, and the worker's lanes run on threads of their own."""

from __future__ import annotations

import atexit
import runpy
import sys

USAGE = "python -m bench.yappi_run OUT.pstats -m MODULE ARGS…  (pip install yappi first)"


def main() -> None:
    if len(sys.argv) < 4 or sys.argv[2] != "-m":
        sys.exit(USAGE)
    import yappi  # a development tool, not a dependency: only here

    out, module = sys.argv[1], sys.argv[3]
    yappi.set_clock_type("cpu")
    yappi.start(builtins=False)
    atexit.register(lambda: yappi.get_func_stats().save(out, type="pstat"))
    sys.argv = [module, *sys.argv[4:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
