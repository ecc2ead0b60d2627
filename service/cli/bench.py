"""`dikta bench`: speed and memory benchmarks (figures go to docs/benchmarks.md)."""

from __future__ import annotations

from pathlib import Path

import click

from service.cli import common
from service.cli.common import EXIT_FAILED, EXIT_USAGE, fail
from service.core.settings import get_settings
from structuring.errors import DiktaError


@click.group()
def bench() -> None:
    """Benchmarks; results are printed and written to benchmarks/results/."""


@bench.command("asr")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--model", default=None)
@click.option("--repeats", type=click.IntRange(1, 50), default=3, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_asr(files: tuple[Path, ...], model: str | None, repeats: int,
              json_out: Path | None) -> None:
    """Plain faster-whisper vs Dikta's pipeline on FILES, same model and settings."""
    from evaluation.bench_asr import run_asr_benchmark, write_result

    try:
        result = run_asr_benchmark(common.engine_from_settings(), list(files), model=model, repeats=repeats)
    except DiktaError as exc:
        fail(str(exc))
    click.echo(result.summary())
    click.echo(f"written to {write_result(result, json_out)}", err=True)


@bench.command("structuring")
@click.argument("gold", type=click.Path(path_type=Path))
@click.option("--repeats", type=click.IntRange(1, 100), default=5, show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_structuring(gold: Path, repeats: int, json_out: Path | None) -> None:
    """Time structuring the `spoken` dictations of a GOLD file (JSON Lines)."""
    import json

    from evaluation.bench_structuring import run_structuring_benchmark
    from evaluation.gold import read_gold

    try:
        rows = read_gold(gold)
    except DiktaError as exc:
        fail(str(exc))
    result = run_structuring_benchmark([r["spoken"] for r in rows], repeats=repeats)
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")



@bench.command("service")
@click.option("--concurrency", type=click.IntRange(1, 200), default=4, show_default=True)
@click.option("--requests", "count", type=click.IntRange(1, 2000), default=20,
              show_default=True)
@click.option("--stream-runs", type=click.IntRange(0, 100), default=3, show_default=True)
@click.option("--url", default=None, help="A running service; default: start one on loopback.")
@click.option("--key", default=None, help="API key for --url.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_service(concurrency: int, count: int, stream_runs: int, url: str | None,
                  key: str | None, json_out: Path | None) -> None:
    """Throughput and p50/p95 latency on loopback, and live-dictation latencies."""
    import json
    import tempfile

    from evaluation.bench_service import run_service_benchmark
    from evaluation.loopback import running
    from service.http.app import create_app

    fixtures = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "audio"
    request_file = fixtures / "nb_feber.wav"
    stream_files = [fixtures / f"{n}.wav" for n in ("nb_feber", "nb_lege")]

    def bench(target: str, api_key: str):
        return run_service_benchmark(target, api_key, request_file, stream_files,
                                     concurrency=concurrency, requests=count,
                                     stream_runs=stream_runs)

    if url:
        if not key:
            fail("--url needs --key", EXIT_USAGE)
        result = bench(url, key)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            settings = get_settings().model_copy(update={"data_dir": Path(tmp)})
            settings.service.max_queue = max(settings.service.max_queue, count)
            app = create_app(settings)
            api_key = app.state.dikta.store.create_key("bench")
            with running(app) as target:
                result = bench(target, api_key)
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")


@bench.command("workers")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--workers", "counts", type=click.IntRange(1, 64), multiple=True,
              default=(1, 2), show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None, help="Also write the result here.")
def bench_workers(inputs: tuple[str, ...], counts: tuple[int, ...],
                  json_out: Path | None) -> None:
    """Batch throughput of INPUTS with 1, 2, … worker processes."""
    import json
    from functools import partial

    from evaluation.bench_workers import run_workers_benchmark
    from service.dictations.batch import run_batch

    result = run_workers_benchmark(partial(run_batch, get_settings()), list(inputs),
                                   list(counts))
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")


@bench.command("throughput")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--threads", "threads", type=click.IntRange(1, 256), multiple=True,
              default=(1, 2), show_default=True)
@click.option("--batch-size", "batches", type=click.IntRange(1, 64), multiple=True,
              default=(1, 4), show_default=True)
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              default=None)
def bench_throughput(files: tuple[Path, ...], threads: tuple[int, ...],
                     batches: tuple[int, ...], json_out: Path | None) -> None:
    """Sequential vs batched inference and CPU thread scaling on FILES."""
    import json

    from evaluation.bench_throughput import run_throughput
    from models.manager import ModelManager
    from service.core.engine import Engine

    settings = get_settings()

    def make_engine(cpu_threads: int) -> Engine:
        local = settings.model_copy(deep=True)
        local.model.cpu_threads = cpu_threads
        return Engine(local, manager=ModelManager())

    result = run_throughput(make_engine, list(files), list(threads), list(batches))
    click.echo(result.summary())
    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(result.to_json(), indent=2) + "\n")


@bench.command("gpu")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False,
                                                      path_type=Path), default=None,
              help="A CTranslate2 Whisper directory; default: random weights of --shape.")
@click.option("--shape", type=click.Choice(["tiny", "base", "large-v2", "large-v3"]),
              default="base",
              show_default=True)
@click.option("--device", type=click.Choice(["cuda", "cpu"]), default="cuda",
              show_default=True)
@click.option("--compute-type", "compute_types", multiple=True,
              default=("float16", "int8_float16"), show_default=True)
@click.option("--batch-size", "batches", type=click.IntRange(1, 256), multiple=True,
              default=(1, 4, 8, 16), show_default=True)
@click.option("--seconds", type=float, default=300.0, show_default=True)
def bench_gpu(model_dir: Path | None, shape: str, device: str, compute_types: tuple[str, ...],
              batches: tuple[int, ...], seconds: float) -> None:
    """RTFx and GPU memory per compute type and batch size (results in benchmarks/results/)."""
    from evaluation.bench_gpu import run_gpu_benchmark, write_result

    try:
        result = run_gpu_benchmark(model_dir=model_dir, shape=shape, device=device,
                                   compute_types=list(compute_types),
                                   batch_sizes=list(batches), seconds=seconds)
    except (ValueError, RuntimeError) as exc:
        fail(str(exc), EXIT_FAILED)
    click.echo(result.summary())
    click.echo(f"written to {write_result(result)}", err=True)
