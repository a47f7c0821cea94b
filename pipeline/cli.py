"""Command-line interface: ``python -m pipeline COMMAND``.

Commands (the first three are a contract other clients depend on):

``run PATH... --store DIR``
    Ingest files or folders and run every stage into the store.
``export --store DIR --out DIR --format csv|jsonl``
    Write one file per table: articles, clusters, actor_mentions, signals, figures.
``extract figures|actors|signals|dates``
    Read JSON lines ``{"id": …, "text": …}`` on stdin, write ``{"id": …, "results": […]}`` per line.
``check --store DIR``
    Verify a store's integrity.
``retag signals|figures|topics --store DIR``
    Re-run one stage over a store's articles, stored actor mentions reused (after a lexicon or rule change).
``search --store DIR QUERY [--format jsonl]``
    Ranked matching article_ids with snippets (a malformed query: exit 2, message and position).
``watch FEEDS.txt --store DIR --every 15m [--once]``
    Poll feeds with conditional GET, ingest what is new, evaluate watchlists and deliver alerts.
``eval STAGE [ARGS]``
    Print a stage's evaluation figures on labelled public corpora.
``bench [ARGS]``
    Print documents/s and peak memory per stage.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import sys
from pathlib import Path

from pipeline import registry

EXTRACT_STAGES = registry.names("extract")
EVAL_STAGES = ("topics", "signals", "actors", "figures", "ingest", "dedup", "dates", "engines")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="NATO–Russia news-intelligence pipeline.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="ingest files or folders and run every stage into a store")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .csv .tsv .jsonl .json .html .zip), "
                                           "page URLs or RSS/Atom feed URLs (http:// or https://)")
    p.add_argument("--store", required=True, help="store folder (created if missing)")
    p.add_argument("--quiet", action="store_true", help="no progress bar or per-input report")
    p.add_argument("--verbose", action="store_true", help="report every input, duplicates and additions included")
    p.add_argument("--no-stages", action="store_true",
                   help="ingest and detect duplicates only (fast bulk load); a later full run annotates these articles")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes for cleaning and the per-article stages (default: the machine's cores; "
                        "with --scheduler: the cluster's workers)")
    p.add_argument("--engine", choices=("local", "dask"), default="local",
                   help="where partitions run: local processes, or a Dask cluster (a LocalCluster without --scheduler)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="the address of a running Dask scheduler (with --engine dask)")
    p.add_argument("--partition-size", type=int, default=50, help="articles per partition (default 50)")
    p.add_argument("--store-format", choices=("sqlite", "parquet"), default="sqlite",
                   help="the kind of store to create when --store holds none (an existing store keeps its kind); "
                        "on Parquet the workers write their partitions and the run commits them")

    p = sub.add_parser("export", help="write every table of a store as CSV or JSON lines")
    p.add_argument("--store", required=True)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--format", choices=("csv", "jsonl"), default="csv")

    p = sub.add_parser("convert", help="copy a SQLite store into a new Parquet store (partitioned by month)")
    p.add_argument("--store", required=True, help="the SQLite store folder to read")
    p.add_argument("--to", required=True, help="the new Parquet store folder (must be empty or missing)")

    p = sub.add_parser("extract", help="run one stage on JSON lines {id, text} from stdin")
    p.add_argument("stage", choices=EXTRACT_STAGES)

    p = sub.add_parser("retag", help="re-run signals, figures or topics over a store (stored actor mentions reused)")
    p.add_argument("stage", choices=registry.names("retag"))
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: the machine's cores)")
    p.add_argument("--engine", choices=("local", "dask"), default="local", help="where partitions run (see run)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786", help="a Dask scheduler (with --engine dask)")
    p.add_argument("--store", required=True)
    p.add_argument("--quiet", action="store_true", help="no progress bar")

    p = sub.add_parser("check", help="verify a store's integrity")
    p.add_argument("--store", required=True)

    p = sub.add_parser("search", help="full-text search of a store: matching article_ids with rank and snippet")
    p.add_argument("--store", required=True)
    p.add_argument("query", help='e.g. \'"air defence" AND Poland\' (a query starting with - goes after --)')
    p.add_argument("--format", choices=("text", "jsonl"), default="text")
    p.add_argument("--limit", type=int, default=50, help="at most this many results (default 50)")

    p = sub.add_parser("watch", help="poll RSS/Atom feeds and pages on a schedule; evaluate watchlists; send alerts")
    p.add_argument("feeds", help="a text file of feed or page URLs, one per line (# comments)")
    p.add_argument("--store", required=True)
    p.add_argument("--every", default="15m", help="interval between cycles: 30s, 15m, 1h (default 15m)")
    p.add_argument("--once", action="store_true", help="run one cycle and exit (for cron)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds before a feed that hangs is given up")

    p = sub.add_parser("eval", help="evaluate a stage on labelled corpora")
    p.add_argument("stage", choices=EVAL_STAGES)
    p.add_argument("args", nargs=argparse.REMAINDER)

    p = sub.add_parser("train", help="train a stage's model on its annotated corpus (train split only)")
    p.add_argument("stage", choices=("signals",))
    p.add_argument("--with-corrections", action="store_true",
                   help="add the analyst corrections of --store (their sentences, as corrected) to the train split")
    p.add_argument("--store", help="the store whose corrections --with-corrections reads")
    p.add_argument("--out", help="where to write the model (default: the shipped pipeline/data/signal_model.npz)")

    p = sub.add_parser("bench", help="documents/s and peak memory per stage")
    p.add_argument("args", nargs=argparse.REMAINDER)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    from pipeline.engines import EngineError
    from pipeline.store import StoreError

    argv = list(sys.argv[1:] if argv is None else argv)
    # eval and bench hand their own options to their modules untouched.
    if argv[:1] == ["bench"] and not {"-h", "--help"} & set(argv[1:2]):
        return _cmd_bench(argparse.Namespace(args=argv[1:]))
    if argv[:1] == ["eval"] and len(argv) > 1 and argv[1] in EVAL_STAGES:
        return _cmd_eval(argparse.Namespace(stage=argv[1], args=argv[2:]))
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: the store is unchanged by the unfinished run", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _progress_bars(quiet: bool):
    """A ``progress(stage, done, total)`` callback drawing one tqdm bar per stage on stderr, and a closer."""
    bars: dict[str, object] = {}

    def progress(stage: str, done: int, total: int) -> None:
        if quiet:
            return
        from tqdm import tqdm

        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="article", file=sys.stderr, dynamic_ncols=True,
                                     mininterval=0.5, smoothing=0.1)
        bar.total = total
        bar.update(done - bar.n)

    def close() -> None:
        for bar in bars.values():
            bar.close()

    return progress, close


def _cmd_run(args) -> int:
    from pipeline import run

    progress, close_bars = _progress_bars(args.quiet)
    if args.scheduler and args.engine != "dask":
        raise SystemExit("error: --scheduler needs --engine dask")
    if args.partition_size < 1 or (args.workers is not None and args.workers < 1):
        raise SystemExit("error: --workers and --partition-size must be at least 1")
    report = run.run(args.paths, args.store, progress=progress, stages=not args.no_stages, workers=args.workers,
                     engine=args.engine, scheduler=args.scheduler, partition_size=args.partition_size,
                     store_format=args.store_format)
    close_bars()
    if not args.quiet:
        for r in report.results:
            if r.status not in ("added", "duplicate") or r.reason and r.status == "added" or args.verbose:
                print(f"{r.status:>15}  {r.origin}  {r.reason}", file=sys.stderr)
    print(report.summary())
    return 0


def _cmd_retag(args) -> int:
    import time

    from pipeline import run

    progress, close_bars = _progress_bars(args.quiet)
    started = time.monotonic()
    if args.scheduler and args.engine != "dask":
        raise SystemExit("error: --scheduler needs --engine dask")
    written = run.retag(args.store, args.stage, progress=progress, engine=args.engine, workers=args.workers,
                        scheduler=args.scheduler)
    close_bars()
    print(f"{args.stage}: {written} rows written in {time.monotonic() - started:.1f} s")
    return 0


def _cmd_export(args) -> int:
    from pipeline.read import export

    written = export.export_store(args.store, args.out, args.format)
    for path, rows in written:
        print(f"{path}  {rows} rows")
    return 0


def _cmd_convert(args) -> int:
    from pipeline import store
    from pipeline.store import parquet

    if not store.exists(args.store) or parquet.is_parquet(args.store):
        print(f"error: no SQLite store at {args.store}", file=sys.stderr)
        return 2
    try:
        rows = parquet.convert(args.store, args.to)
    except store.StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, n in rows.items():
        print(f"{name}  {n} rows")
    print(f"Parquet store written to {args.to}")
    return 0


def _json_safe(value):
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _json_safe(value.item())
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _cmd_extract(args) -> int:
    module = registry.get(args.stage).module
    status = 0
    for number, line in enumerate(sys.stdin, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or "text" not in item or not isinstance(item["text"], str):
                raise ValueError('expected an object with a string "text"')
        except ValueError as exc:
            print(f"line {number}: skipped, not a JSON object with id and text ({exc})", file=sys.stderr)
            status = 0
            continue
        try:
            results = module.extract(item["text"], date=item.get("date"))
        except Exception as exc:  # one bad text must not stop the others
            print(f"line {number}: {args.stage} failed on this text: {type(exc).__name__}: {exc}", file=sys.stderr)
            results = []
        sys.stdout.write(json.dumps({"id": item.get("id"), "results": _json_safe(results)}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return status


def _cmd_check(args) -> int:
    from pipeline import store

    problems = store.check(args.store)
    if problems:
        for p in problems:
            print(f"problem: {p}")
        return 1
    counts = store.counts(args.store)
    print(f"store {args.store} ok (schema version {store.SCHEMA_VERSION}): "
          + ", ".join(f"{n} {name}" for name, n in counts.items()))
    from pipeline.store import parquet

    if parquet.is_parquet(args.store) and parquet.uncommitted_parts(args.store):
        print(f"note: {len(parquet.uncommitted_parts(args.store))} parts of runs killed before their commit are "
              "never read; they can be deleted while no run is going")
    from pipeline.store import parquet_search

    if parquet.is_parquet(args.store) and parquet_search.behind(args.store):
        print(f"note: the search index ({parquet_search.INDEX_FILE}) is behind the store's committed parts; "
              "the next search or run brings it up to date")
    return 0


def _cmd_search(args) -> int:
    from pipeline.read import search

    try:
        hits, total = search.search(args.store, args.query, limit=max(1, args.limit))
    except search.QueryError as exc:
        print(f"error: malformed query: {exc.message} at position {exc.position}", file=sys.stderr)
        print(f"  {args.query[:120]}", file=sys.stderr)
        if exc.position <= 120:
            print("  " + " " * exc.position + "^", file=sys.stderr)
        return 2
    for h in hits:
        if args.format == "jsonl":
            print(json.dumps({"article_id": h.article_id, "rank": h.rank, "score": h.score,
                              "snippet": search.snippet_text(h.snippet)}, ensure_ascii=False))
        else:
            print(f"{h.rank}\t{h.article_id}\t{' '.join(search.snippet_text(h.snippet).split())}")
    if args.format != "jsonl":
        print(f"{len(hits)} of {total} matching articles", file=sys.stderr)
    return 0


def _cmd_watch(args) -> int:
    from pipeline import watch

    try:
        every = watch.parse_interval(args.every)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return watch.main(args.feeds, args.store, every=every, once=args.once, timeout=args.timeout)


def _cmd_eval(args) -> int:
    module = importlib.import_module(f"pipeline.evals.{args.stage}")
    return int(module.main(list(args.args)) or 0)


def _cmd_train(args) -> int:
    from pipeline.stages import signal_model, signals

    rows = signal_model.load_corpus("train")
    if not rows:
        print(f"error: no train-split sentences in {signal_model.CORPUS_DIR}", file=sys.stderr)
        return 2
    if args.with_corrections:
        from pipeline import corrections, store

        if not args.store or not store.exists(args.store):
            print("error: --with-corrections needs --store DIR, a store holding the corrections", file=sys.stderr)
            return 2
        analyst = corrections.training_rows(args.store)
        print(f"adding {len(analyst)} corrected sentences of {args.store} to the train split")
        rows = rows + analyst
    out = Path(args.out) if args.out else signal_model.MODEL_PATH
    summary = signal_model.train(rows, list(signals.load_categories()), out=out)
    print(f"trained signals model on {summary['sentences']} train sentences ({summary['events']} events): "
          f"{summary['vocabulary']} category features, {summary['modality_vocabulary']} modality features, "
          f"{out} "
          f"{summary['bytes'] / 1e6:.2f} MB")
    print(f"the coder completes the rules for {len(summary['union'])} categories (5-fold cross-validation on the "
          "train split, by document; F1 rules -> rules+coder):")
    for category, (rules_f1, union_f1, n) in sorted(summary["policy"].items()):
        mark = "*" if category in summary["union"] else " "
        print(f"  {mark} {category:<26} n={n:<4} {rules_f1:.3f} -> {union_f1:.3f}")
    return 0


def _cmd_bench(args) -> int:
    from pipeline import bench

    return int(bench.main(list(args.args)) or 0)


_COMMANDS = {
    "run": _cmd_run,
    "search": _cmd_search,
    "watch": _cmd_watch,
    "export": _cmd_export,
    "convert": _cmd_convert,
    "extract": _cmd_extract,
    "retag": _cmd_retag,
    "check": _cmd_check,
    "eval": _cmd_eval,
    "bench": _cmd_bench,
    "train": _cmd_train,
}

if __name__ == "__main__":
    sys.exit(main())
