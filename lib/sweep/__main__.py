"""Command line of :mod:`lib.sweep`::

    python -m lib.sweep run SPEC.toml --store DIR [--scheduler ADDRESS] [--workers N]
    python -m lib.sweep status --store DIR
    python -m lib.sweep compact --store DIR
"""

from __future__ import annotations

import argparse
import sys

from lib.sweep import compact, run, status


def main(argv: list[str] | None = None) -> int:
    """Parse ``argv``, run the command, return the exit status (2 for a bad spec or store)."""
    parser = argparse.ArgumentParser(prog="python -m lib.sweep",
                                     description="Grids of runs on Dask, resumable on disk.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run what the store does not hold yet")
    run_parser.add_argument("spec", help="the sweep's TOML file")
    run_parser.add_argument("--store", required=True, help="directory of the store")
    where = run_parser.add_mutually_exclusive_group()
    where.add_argument("--scheduler", help="address of a running Dask scheduler")
    where.add_argument("--workers", type=int, help="processes of the local cluster "
                       "(default: the available cores)")
    status_parser = commands.add_parser("status", help="print done / total")
    status_parser.add_argument("--store", required=True, help="directory of the store")
    compact_parser = commands.add_parser("compact", help="fold the per-run files into one "
                                         "(run does this when every run is done)")
    compact_parser.add_argument("--store", required=True, help="directory of the store")
    arguments = parser.parse_args(argv)
    try:
        if arguments.command == "run":
            report = run(arguments.spec, arguments.store, scheduler=arguments.scheduler,
                         workers=arguments.workers, progress=True)
            print(f"{report.ran} runs done now, {report.skipped} already in the store, "
                  f"{report.total} in the spec")
        elif arguments.command == "compact":
            print(f"{compact(arguments.store)} runs in {arguments.store}/runs.parquet")
        else:
            progress = status(arguments.store)
            print(f"{progress.done} / {progress.total}")
    except (TypeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
