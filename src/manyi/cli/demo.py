"""`manyi demo-data`: generate and load the bilingual demo data set."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from manyi.cli.context import open_database
from manyi.config import load_settings
from manyi.demo.generator import generate, write_csv
from manyi.demo.load import load_demo
from manyi.errors import ManyiError
from manyi.feedback import service as feedback_service

_STEP_LABELS = {
    "customers": "Importing customers / 正在导入客户...",
    "orders": "Importing orders / 正在导入订单...",
    "feedback": "Importing feedback / 正在导入反馈...",
    "text analysis": "Analysing feedback text / 正在分析反馈文本...",
}


def _parse_end(value: str) -> dt.date:
    """Parse --end-date strictly as YYYY-MM-DD."""
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(
            f"{value!r} is not a date YYYY-MM-DD", param_hint="--end-date"
        ) from exc


def _print_summary(console: Console, summary: dict[str, Any]) -> None:
    """Tables of the files written, the import results and the planted signals."""
    files = Table(title="Demo files / 演示数据文件")
    files.add_column("file / 文件")
    files.add_column("rows / 行数", justify="right")
    for name, info in summary["files"].items():
        files.add_row(escape(f"{name}: {info['path']}"), str(info["rows"]))
    console.print(files)
    if summary.get("load"):
        loaded = Table(title="Loaded into the database / 已导入数据库")
        loaded.add_column("kind / 类型")
        loaded.add_column("result / 结果")
        for kind, report in summary["load"]["imports"].items():
            loaded.add_row(kind, escape(report["summary"]))
        console.print(loaded)
    signals = Table(title="Planted signals / 预埋信号")
    signals.add_column("signal / 信号")
    signals.add_column("where / 位置")
    signals.add_column("description / 说明")
    for name, info in summary["signals"].items():
        where = (
            info.get("month") or info.get("region") or info.get("months") or info.get("customers")
        )
        if isinstance(where, list):
            where = f"{where[0]} … {where[-1]}"
        signals.add_row(name, escape(str(where)), escape(str(info["description"])))
    console.print(signals)


def demo_data(
    customers: Annotated[int, typer.Option(help="Number of customers / 客户数")] = 3000,
    seed: Annotated[int, typer.Option(help="Random seed / 随机种子")] = 42,
    months: Annotated[int, typer.Option(help="Months of history / 历史月数")] = 24,
    end_date: Annotated[
        str, typer.Option("--end-date", help="Last day of the data, YYYY-MM-DD / 截止日期")
    ] = "2026-10-31",
    output_dir: Annotated[
        Path | None,
        typer.Option(
            "--output-dir", help="Folder for the CSV files (default <data_dir>/demo) / 输出目录"
        ),
    ] = None,
    load: Annotated[
        bool, typer.Option("--load/--no-load", help="Import into the database / 是否导入数据库")
    ] = True,
    hostile: Annotated[
        bool,
        typer.Option(
            "--hostile",
            help="Put hostile strings (XSS, SQL, formulas) in ~0.5% of texts and names, for testing "
            "/ 在约0.5%的文本和姓名中加入恶意字符串，用于测试",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")] = False,
) -> None:
    """Generate the demo data set and load it / 生成并导入演示数据."""
    end = _parse_end(end_date)
    settings = load_settings()
    folder = output_dir or settings.data_dir / "demo"
    console = Console(stderr=as_json)
    try:
        with console.status("Generating demo data / 正在生成演示数据..."):
            data = generate(
                customers=customers, seed=seed, months=months, end_date=end, hostile=hostile
            )
            paths = write_csv(data, folder)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except OSError as exc:
        raise typer.BadParameter(
            f"cannot write to {folder}: {exc.strerror or exc}", param_hint="--output-dir"
        ) from exc
    summary: dict[str, Any] = {
        "files": {
            name: {"path": str(path), "rows": len(data.frames()[name])}
            for name, path in paths.items()
        },
        "signals": data.signals,
        "load": None,
    }
    if load:
        try:
            database = open_database(settings)
            with console.status("Importing / 正在导入...") as status:
                result = load_demo(
                    sessions=database.sessions,
                    folder=folder,
                    on_file=lambda step: status.update(_STEP_LABELS.get(step, step)),
                    taxonomy=feedback_service.load_taxonomy(settings.aspect_taxonomy),
                )
        except ManyiError as exc:
            console.print(f"[red]{escape(exc.message)}[/red]")
            raise typer.Exit(1) from exc
        summary["load"] = result.to_dict()
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False, indent=2, default=str))
    else:
        _print_summary(console, summary)
