"""`manyi import ...` commands: load customers, orders and feedback from files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from manyi.cli.context import open_database
from manyi.config import load_settings
from manyi.errors import InputError
from manyi.feedback import service as feedback_service
from manyi.feedback.service import AnalysisProgress
from manyi.importing.mapping import load_mapping_file, parse_map_flags
from manyi.importing.service import DEFAULT_BATCH_SIZE, ImportReport

app = typer.Typer(
    help="Import customers, orders and feedback from CSV/XLSX/JSONL / 导入数据",
    no_args_is_help=True,
)

FILE_HELP = "CSV (any delimiter; UTF-8/GBK), .csv.gz, .xlsx or .jsonl file / 数据文件"
MAP_HELP = "Column mapping field=Header, repeatable / 列映射 字段=表头 (可重复)"
MAPPING_FILE_HELP = 'TOML/JSON mapping file {"customer_id": "Kunden-Nr"} / 列映射文件'
BATCH_HELP = "Rows per transaction / 每个事务的行数"
QUARANTINE_HELP = (
    "Folder for the quarantine CSV and summary JSON (default: beside the file) / 隔离文件目录"
)
TZ_HELP = "Timezone of times without an offset, e.g. Asia/Shanghai / 无时区时间的时区"
JSON_HELP = "Print the report as JSON / 以 JSON 输出报告"


def _run(
    kind: Literal["customers", "orders", "feedback"],
    path: Path,
    map_flags: list[str],
    mapping_file: Path | None,
    batch_size: int,
    quarantine_dir: Path | None,
    timezone: str,
    as_json: bool,
    channel: str = "survey",
) -> None:
    """Shared body of the three commands: map, import with a progress bar, summarise."""
    console = Console(stderr=as_json)
    try:
        mapping = load_mapping_file(mapping_file) if mapping_file else {}
        mapping.update(parse_map_flags(map_flags))
        database = open_database()
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} rows"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
            disable=as_json,
        ) as bar:
            task = bar.add_task(f"importing {kind} / 导入中", total=None)

            def progress(done: int, total: int) -> None:
                """Advance the bar after each committed batch."""
                bar.update(task, completed=done, total=total)

            def analysing(done: int, total: int) -> None:
                """Switch the bar to the text analysis that follows a feedback import."""
                bar.update(
                    task, description="analysing text / 文本分析中", completed=done, total=total
                )

            outcome = feedback_service.import_with_analysis(
                sessions=database.sessions,
                kind=kind,
                path=path,
                analysis_progress=analysing,
                taxonomy=feedback_service.load_taxonomy(load_settings().aspect_taxonomy),
                mapping=mapping or None,
                batch_size=batch_size,
                quarantine_dir=quarantine_dir,
                progress=progress,
                source_timezone=timezone,
                default_channel=channel,
            )
        database.engine.dispose()
    except InputError as exc:
        Console(stderr=True).print(f"[red]error / 错误:[/red] {exc.message}", highlight=False)
        raise typer.Exit(code=2) from exc
    report, analysis = outcome.report, outcome.analysis
    if as_json:
        data = report.to_dict()
        if analysis is not None:
            data["analysis"] = analysis.to_dict()
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    _print_report(console, report)
    if analysis is not None:
        console.print(_analysis_line(analysis), highlight=False)


def _analysis_line(analysis: AnalysisProgress) -> str:
    """One line on the text analysis that ran after a feedback import."""
    return (
        f"text analysis: {analysis.analyzed} items analysed in {analysis.seconds:.1f} s "
        f"(model {analysis.model_version}) / 文本分析：已分析 {analysis.analyzed} 条"
    )


def _print_report(console: Console, report: ImportReport) -> None:
    """The one summary line, then a short table of set-aside reasons and warnings."""
    console.print(report.summary_line(), highlight=False, soft_wrap=True)
    if report.set_aside or report.warnings:
        table = Table("reason / 原因", "rows / 行数", "kind / 类别")
        for reason, count in sorted(report.set_aside.items(), key=lambda kv: -kv[1]):
            table.add_row(reason, str(count), "set aside / 已隔离")
        for reason, count in sorted(report.warnings.items(), key=lambda kv: -kv[1]):
            table.add_row(reason, str(count), "warning / 警告")
        console.print(table)
    notes = []
    created = report.details.get("customers_created", 0)
    if created and report.kind != "customers":
        notes.append(
            f"created {created} bare customers (code only) / 新建客户 {created} 个(仅编号)"
        )
    without = report.details.get("rows_without_customer", 0)
    if without:
        notes.append(f"{without} rows without a customer id were kept / 无客户编号的行已保留")
    for note in notes:
        console.print(note, highlight=False)


@app.command("customers", help="Import customers / 导入客户")
def customers(
    path: Path = typer.Argument(..., help=FILE_HELP),
    map_flags: list[str] = typer.Option([], "--map", help=MAP_HELP),
    mapping_file: Path | None = typer.Option(None, "--mapping", help=MAPPING_FILE_HELP),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, "--batch-size", min=1, help=BATCH_HELP),
    quarantine_dir: Path | None = typer.Option(None, "--quarantine-dir", help=QUARANTINE_HELP),
    timezone: str = typer.Option("UTC", "--timezone", help=TZ_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import customers (identities and consent included)."""
    _run("customers", path, map_flags, mapping_file, batch_size, quarantine_dir, timezone, as_json)


@app.command("orders", help="Import orders and order lines / 导入订单")
def orders(
    path: Path = typer.Argument(..., help=FILE_HELP),
    map_flags: list[str] = typer.Option([], "--map", help=MAP_HELP),
    mapping_file: Path | None = typer.Option(None, "--mapping", help=MAPPING_FILE_HELP),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, "--batch-size", min=1, help=BATCH_HELP),
    quarantine_dir: Path | None = typer.Option(None, "--quarantine-dir", help=QUARANTINE_HELP),
    timezone: str = typer.Option("UTC", "--timezone", help=TZ_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import orders: one row per order or per order line."""
    _run("orders", path, map_flags, mapping_file, batch_size, quarantine_dir, timezone, as_json)


@app.command("feedback", help="Import feedback (reviews, comments, ratings) / 导入反馈")
def feedback(
    path: Path = typer.Argument(..., help=FILE_HELP),
    map_flags: list[str] = typer.Option([], "--map", help=MAP_HELP),
    mapping_file: Path | None = typer.Option(None, "--mapping", help=MAPPING_FILE_HELP),
    batch_size: int = typer.Option(DEFAULT_BATCH_SIZE, "--batch-size", min=1, help=BATCH_HELP),
    quarantine_dir: Path | None = typer.Option(None, "--quarantine-dir", help=QUARANTINE_HELP),
    timezone: str = typer.Option("UTC", "--timezone", help=TZ_HELP),
    channel: str = typer.Option(
        "survey",
        "--channel",
        help="Channel when the file has none / 默认渠道 (survey, review, ...)",
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Import feedback items."""
    _run(
        "feedback", path, map_flags, mapping_file, batch_size, quarantine_dir, timezone, as_json,
        channel,
    )  # fmt: skip
