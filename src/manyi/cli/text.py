"""`manyi text ...`: analyse a file, score one text, re-analyse stored feedback, retrain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from manyi.cli.context import open_database
from manyi.config import load_settings
from manyi.errors import InputError
from manyi.exporting.spreadsheet import neutralise_frame
from manyi.feedback import service as feedback_service
from manyi.importing.reading import read_table

app = typer.Typer(help="Feedback text analytics / 文本分析", no_args_is_help=True)

BATCH = 2000
ADDED = ("language", "sentiment", "sentiment_score", "types", "aspects", "text_masked")
SENTIMENT_ZH = {"negative": "负面", "neutral": "中性", "positive": "正面"}

AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]


def _fail(message: str) -> typer.Exit:
    """Print an error (escaped: it may quote user input) and return the exit to raise."""
    Console(stderr=True).print(f"[red]error / 错误:[/red] {escape(message)}")
    return typer.Exit(code=2)


def _flatten(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn list columns into `;`-separated text (aspects as aspect:polarity)."""
    out = frame.copy()
    out["types"] = [";".join(t) for t in frame["types"]]
    out["aspects"] = [";".join(f"{a}:{p}" for a, p in asp) for asp in frame["aspects"]]
    return out


def _analyse_in_batches(texts: list[str], quiet: bool, mask: bool) -> pd.DataFrame:
    """Run the pipeline over `texts` in batches, with a progress bar for large inputs."""
    from manyi.analytics.text.analyze import analyze

    parts: list[pd.DataFrame] = []
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn()]
    with Progress(
        *columns,
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=quiet or len(texts) <= BATCH,
    ) as progress:
        task = progress.add_task("analysing / 分析中", total=len(texts))
        for start in range(0, len(texts), BATCH):
            chunk = texts[start : start + BATCH]
            parts.append(analyze(chunk, mask=mask))
            progress.advance(task, len(chunk))
    if not parts:
        from manyi.analytics.text.analyze import analyze as empty

        return empty([])
    return pd.concat(parts, ignore_index=True)


@app.command("analyze")
def analyze_file(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON Lines file / 输入文件")],
    column: Annotated[str, typer.Option("--column", "-c", help="Text column / 文本列名")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output CSV / 输出 CSV 文件")],
    no_mask: Annotated[
        bool, typer.Option("--no-mask", help="Copy text without PII masking / 不脱敏")
    ] = False,
    as_json: AsJson = False,
) -> None:
    """Add language, sentiment, types, aspects and masked text to every row.

    为每一行添加语言、情感、反馈类型、方面和脱敏文本，写出 CSV（公式注入已中和）。
    """
    try:
        frame = read_table(file).frame
    except InputError as exc:
        raise _fail(str(exc)) from None
    if column not in frame.columns:
        available = ", ".join(str(c) for c in frame.columns)
        raise _fail(f"column '{column}' not found in {file.name}; columns are: {available}")
    texts = ["" if pd.isna(v) else str(v) for v in frame[column]]
    result = _flatten(_analyse_in_batches(texts, quiet=as_json, mask=not no_mask))
    out = frame.drop(columns=[c for c in ADDED if c in frame.columns]).reset_index(drop=True)
    for name in ADDED:
        out[name] = result[name].to_numpy()
    output.parent.mkdir(parents=True, exist_ok=True)
    neutralise_frame(out).to_csv(output, index=False, encoding="utf-8")
    counts = {k: int((result["sentiment"] == k).sum()) for k in SENTIMENT_ZH}
    summary = {"rows": len(out), "output": str(output), "sentiment": counts}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    table = Table(title=f"{len(out)} rows → {escape(str(output))}")
    table.add_column("sentiment / 情感")
    table.add_column("rows / 行数", justify="right")
    table.add_column("share / 占比", justify="right")
    for key, n in counts.items():
        share = f"{n / len(out):.1%}" if len(out) else "-"
        table.add_row(f"{key} / {SENTIMENT_ZH[key]}", str(n), share)
    Console().print(table)


@app.command("sentiment")
def sentiment_text(
    text: Annotated[str, typer.Argument(help="Text to score / 要分析的文本")],
    as_json: AsJson = False,
) -> None:
    """Score the sentiment of one text (quick check). 快速查看一段文本的情感。"""
    from manyi.analytics.text.analyze import analyze

    row = analyze([text]).iloc[0]
    result = {
        "sentiment": row["sentiment"],
        "sentiment_score": round(float(row["sentiment_score"]), 4),
        "language": row["language"],
        "types": list(row["types"]),
        "aspects": [f"{a}:{p}" for a, p in row["aspects"]],
    }
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    label = f"{result['sentiment']} / {SENTIMENT_ZH[str(result['sentiment'])]}"
    Console().print(
        f"{escape(label)}  score / 得分 {result['sentiment_score']:+.3f}  "
        f"language / 语言 {escape(str(result['language']))}"
    )


@app.command("reanalyze")
def reanalyze(
    everything: Annotated[
        bool,
        typer.Option("--all", help="Re-analyse every item, not only stale ones / 重新分析全部反馈"),
    ] = False,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Items per transaction / 每批条数")
    ] = 2000,
    as_json: AsJson = False,
) -> None:
    """Analyse stored feedback whose analysis is missing or from an older model (or all).

    分析数据库中尚未分析或由旧模型分析的反馈（--all：全部重新分析），显示进度条。
    """
    try:
        taxonomy = feedback_service.load_taxonomy(load_settings().aspect_taxonomy)
    except InputError as exc:
        raise _fail(str(exc)) from None
    database = open_database()
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=as_json,
        ) as bar:
            task = bar.add_task("analysing / 分析中", total=None)
            result = feedback_service.analyze_all(
                sessions=database.sessions,
                batch_size=batch_size,
                everything=everything,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                taxonomy=taxonomy,
            )
    finally:
        database.engine.dispose()
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    Console().print(
        f"analysed {result.analyzed} feedback items in {result.seconds:.1f} s "
        f"({result.per_second:,.0f}/s, model {escape(result.model_version)}) / "
        f"已分析 {result.analyzed} 条反馈"
    )


@app.command("train")
def train_model(
    data_dir: Annotated[
        Path, typer.Option("--data-dir", help="Folder with zh_reviews/ and en_tweets/ / 数据目录")
    ] = Path("../shared/data"),
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Model folder (default: a new folder ./sentiment-model) / 输出目录",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Retrain the sentiment model from the public data sets. 用公开数据重新训练情感模型。"""
    from manyi.analytics.text.train import train_shipped_model

    needed = [
        data_dir / "zh_reviews" / "online_shopping_9cats.csv",
        data_dir / "en_tweets" / "airline_tweets.csv",
    ]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise _fail(f"training data not found: {', '.join(missing)}")
    target = output or Path("sentiment-model")
    model = train_shipped_model(data_dir, target)
    info = {
        "output": str(target),
        "version": model.version,
        "neutral_band": model.neutral_band,
        **model.metadata.get("held_out", {}),
    }
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False))
        return
    for key, value in info.items():
        Console().print(f"{escape(key)}: {escape(str(value))}")
