"""The command line of ``benchmarks/run.py``: options, the sections in order, the summary."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import dataclass

from .environment import environment, print_environment
from .memory import bench_memory, memory_child
from .optional import sklearn, threadpoolctl, torch
from .report import (
    Scorecard,
    eval1_table,
    infer_table,
    memory_table,
    print_summary,
    save_json,
    training_table,
)
from .sections import bench_eval1, bench_infer, bench_training
from .timing import LoadGuard
from .workloads import BIG_WORKLOADS, SECTIONS, TRAINING_WORKLOADS

__all__ = ["DESCRIPTION", "build_parser", "main"]

DESCRIPTION = "numpynn against scikit-learn, PyTorch and the matrix-product floor, side by side."


@dataclass(frozen=True)
class Settings:
    """What to run, with the --quick defaults resolved."""

    quick: bool
    only: list[str]
    repeats: int
    big_repeats: int
    infer_rows: int
    memory_rows: int
    memory_rivals: bool
    torch_adam: str


def build_parser() -> argparse.ArgumentParser:
    """The options of ``benchmarks/run.py``."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--quick", action="store_true",
                        help="fewer repeats and smaller arrays, for a check while developing")
    parser.add_argument("--only", default="",
                        help=f"comma-separated sections: {', '.join(SECTIONS)}")
    parser.add_argument("--json", metavar="PATH", help="save every figure as JSON")
    parser.add_argument("--repeats", type=int, help="timed repeats for small workloads "
                        "(default 7, quick 3)")
    parser.add_argument("--big-repeats", type=int, help="timed repeats for 256-512-512-10 "
                        "and batch inference (default 5, quick 2)")
    parser.add_argument("--infer-rows", type=int, help="rows for batch inference "
                        "(default 1,000,000, quick 200,000)")
    parser.add_argument("--memory-rows", type=int, help="rows for the memory check "
                        "(default 1,000,000, quick 250,000)")
    parser.add_argument("--memory-rivals", action=argparse.BooleanOptionalAction,
                        default=None, help="also measure sklearn's and torch's memory "
                        "(default: on, off with --quick)")
    parser.add_argument("--torch-adam", choices=("both", "default", "fused"),
                        default="both", help="which torch.optim.Adam to run: both (the "
                        "default; the ratio is taken against the faster), torch's default "
                        "(for-loop on CPU) or fused=True")
    parser.add_argument("--max-wait", type=float, default=60.0, metavar="SECONDS",
                        help="total time to spend waiting for other processes to leave the "
                        "CPUs alone and redoing disturbed rounds (default 60; 0: never)")
    parser.add_argument("--threads", type=int, help="limit BLAS/OpenMP pools (threadpoolctl) "
                        "and torch to this many threads, for every rival alike (default: "
                        "leave every library at its own default)")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    return parser


def _settings(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Settings:
    """Resolve the defaults that depend on --quick; refuse unknown sections."""
    quick = args.quick
    only = [s.strip() for s in args.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = [s for s in only if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    return Settings(
        quick=quick, only=only,
        repeats=args.repeats or (3 if quick else 7),
        big_repeats=args.big_repeats or (2 if quick else 5),
        infer_rows=args.infer_rows or (200_000 if quick else 1_000_000),
        memory_rows=args.memory_rows or (250_000 if quick else 1_000_000),
        memory_rivals=(not quick) if args.memory_rivals is None else args.memory_rivals,
        torch_adam=args.torch_adam,
    )


def run_sections(s: Settings, guard: LoadGuard, card: Scorecard) -> dict:
    """Run and print the chosen sections in order; their figures by section name."""
    sections: dict = {}
    training = {name: bench_training(name, s.big_repeats if name in BIG_WORKLOADS
                                     else s.repeats, s.torch_adam, guard)
                for name in TRAINING_WORKLOADS if name in s.only}
    if training:
        training_table(training, card)
        sections.update(training)
    if "eval1" in s.only:
        sections["eval1"] = bench_eval1(s.repeats, guard)
        eval1_table(sections["eval1"], card)
    if "infer" in s.only:
        sections["infer"] = bench_infer(s.infer_rows, s.big_repeats, guard)
        infer_table(sections["infer"], card)
    if "memory" in s.only:
        sections["memory"] = bench_memory(s.memory_rows, s.memory_rivals)
        memory_table(sections["memory"], card)
    return sections


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; 0 even when targets are missed (the summary lists them)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.memory_child:
        print(json.dumps(memory_child(args.memory_rows or 1_000_000, args.memory_child)))
        return 0
    settings = _settings(parser, args)
    guard = LoadGuard(args.max_wait)
    limiter = None
    if args.threads:
        if threadpoolctl is None:
            parser.error("--threads needs threadpoolctl")
        limiter = threadpoolctl.threadpool_limits(args.threads)
        if torch:
            torch.set_num_threads(args.threads)
    env = environment(args.threads)
    print_environment(env)
    started = time.perf_counter()
    card = Scorecard()
    sections = run_sections(settings, guard, card)
    elapsed = time.perf_counter() - started
    missing = [name for name, mod in (("PyTorch", torch), ("scikit-learn", sklearn))
               if mod is None]
    print_summary(card, guard, sections, elapsed, settings.quick, missing)
    if limiter is not None:
        limiter.restore_original_limits()
    report = {"environment": env, "quick": settings.quick, "targets": {},
              "sections": sections, "load_guard": guard.summary(), "checks": card.checks,
              "misses": card.misses, "seconds": elapsed}
    if args.json:
        save_json(report, args.json)
    return 0
