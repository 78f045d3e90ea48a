"""`manyi metrics ...` commands."""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from manyi.analytics.metrics.breakdown import summarise
from manyi.analytics.metrics.csi import satisfaction_index, spec_from_mapping
from manyi.analytics.metrics.drivers import KeyDriverAnalysis
from manyi.analytics.metrics.validation import check_weights

app = typer.Typer(
    help="Satisfaction metrics: NPS, CSAT, CES, drivers, gaps, index / 满意度指标",
    no_args_is_help=True,
)

FILE_HELP = "CSV, XLSX or JSONL file / 数据文件（CSV、XLSX 或 JSONL）"
COLUMN_HELP = "Column holding the answers / 评分所在列"
BY_HELP = "Break down by this column / 按此列分组"
WEIGHT_HELP = "Survey weight column / 权重列"
JSON_HELP = "Print one JSON object / 输出 JSON"


def _fail(message: str) -> NoReturn:
    """Print a clear error to stderr and exit with code 2 (bad input)."""
    Console(stderr=True, soft_wrap=True).print(
        f"[red]error / 错误:[/red] {message}", markup=True, highlight=False
    )
    raise typer.Exit(code=2)


def _separator(sample: str) -> str:
    """Guess the separator (comma, semicolon or tab) from the header line."""
    header = sample.splitlines()[0] if sample else ""
    return max((",", ";", "\t"), key=header.count)


def _read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV as text columns, accepting UTF-8 (with or without BOM) or GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding) as handle:
                sample = handle.read(65536)
            return pd.read_csv(
                path,
                encoding=encoding,
                sep=_separator(sample),
                dtype=str,
                keep_default_na=False,
                na_values=[""],
            )
        except UnicodeDecodeError:
            continue
    _fail(f"{path.name}: not readable as UTF-8 or GB18030 text")


MAX_XLSX_UNCOMPRESSED = 500 * 1024 * 1024
MAX_XLSX_RATIO = 200


def _check_xlsx(path: Path) -> None:
    """Refuse workbooks that are not zips or would inflate absurdly (zip bombs)."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        _fail(f"{path.name}: not a valid .xlsx workbook")
    size = max(path.stat().st_size, 1)
    if total > MAX_XLSX_UNCOMPRESSED or total / size > MAX_XLSX_RATIO:
        _fail(f"{path.name}: workbook would expand to {total:,} bytes; refused as unsafe")


def read_table(path: Path) -> pd.DataFrame:
    """Read a .csv, .xlsx or .jsonl file into a DataFrame, or exit 2 naming the problem."""
    if not path.is_file():
        _fail(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt", ".tsv"):
            return _read_csv(path)
        if suffix == ".xlsx":
            _check_xlsx(path)
            return pd.read_excel(path)
        if suffix in (".jsonl", ".ndjson"):
            return pd.read_json(path, lines=True)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        _fail(f"{path.name}: cannot be read as {suffix[1:]} ({exc})")
    except Exception as exc:  # openpyxl/zip raise many types for corrupt workbooks
        _fail(f"{path.name}: cannot be read as {suffix[1:]} ({type(exc).__name__})")
    _fail(f"{path.name}: unsupported file type {suffix!r}; use .csv, .xlsx or .jsonl")


def _json_safe(value: Any) -> Any:
    """Make numpy scalars and NaN JSON-friendly."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _emit_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout."""
    typer.echo(json.dumps(_json_safe(payload), ensure_ascii=False))


def _score_command(
    metric: str,
    file: Path,
    column: str,
    by: str | None,
    weight: str | None,
    as_json: bool,
    scale: int = 5,
    confidence: float = 0.95,
    min_n: int = 30,
) -> None:
    """Shared body of nps/csat/ces: overall score, optional breakdown, JSON or table."""
    frame = read_table(file)
    for name in (column, by, weight):
        if name is not None and name not in frame.columns:
            _fail(
                f"column {name!r}: not in {file.name} (columns: {', '.join(map(str, frame.columns))})"
            )
    try:
        if weight:
            check_weights(frame[weight], len(frame), name=weight)
        summary = summarise(
            frame,
            column,
            by,
            metric=metric,
            weight=weight,
            scale=scale,
            confidence=confidence,
            min_n=min_n,
        )
    except ValueError as exc:
        _fail(str(exc))
    overall, groups = summary.overall, summary.groups
    overall_dict = overall.to_dict()
    flat = {
        **{k: overall_dict[k] for k in ("n", "score", "se", "ci_low", "ci_high")},
        **overall_dict["counts"],
        "n_missing": overall.n_missing,
        "n_effective": overall.n_effective,
        "confidence": confidence,
        **overall_dict["extra"],
        "warning": overall.warning,
    }
    group_rows = []
    if by is not None:
        for row in groups.to_dict("records"):
            group_rows.append(
                {
                    "key": str(row[by]),
                    "n": int(row["n"]),
                    "score": row["score"],
                    "ci_low": row["ci_low"],
                    "ci_high": row["ci_high"],
                    "small_sample": bool(row["small_sample"]),
                }
            )
    if as_json:
        _emit_json({"metric": metric, "column": column, "overall": flat, "groups": group_rows})
        return
    _print_table(metric, flat, group_rows, by)


def _fmt(value: Any) -> str:
    """Format a number for the Rich table."""
    return "–" if value is None else f"{value:.1f}" if isinstance(value, float) else str(value)


def _print_table(
    metric: str, overall: dict[str, Any], groups: list[dict[str, Any]], by: str | None
) -> None:
    """Render the overall figure and the breakdown as a Rich table."""
    table = Table(title=f"{metric.upper()} (95% CI / 置信区间)")
    for header in (by or "group / 分组", "n", "score / 得分", "CI low / 下限", "CI high / 上限"):
        table.add_column(header)
    table.add_row(
        "overall / 总体",
        str(overall["n"]),
        _fmt(overall["score"]),
        _fmt(overall["ci_low"]),
        _fmt(overall["ci_high"]),
    )
    for row in groups:
        table.add_row(
            row["key"],
            str(row["n"]) + (" *" if row["small_sample"] else ""),
            _fmt(row["score"]),
            _fmt(row["ci_low"]),
            _fmt(row["ci_high"]),
        )
    console = Console()
    console.print(table)
    if overall.get("warning"):
        console.print(overall["warning"])
    if any(r["small_sample"] for r in groups):
        console.print("* small sample, read with care / 样本量过小，仅供参考")


@app.command("nps")
def nps_command(
    file: Path = typer.Argument(..., help=FILE_HELP),
    column: str = typer.Option(..., "--column", help=COLUMN_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    weight: str | None = typer.Option(None, "--weight", help=WEIGHT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    min_n: int = typer.Option(30, "--min-n", help="Warn below this n / 低于此样本量时警告"),
) -> None:
    """Net Promoter Score (0-10 answers, -100..100) / 净推荐值."""
    _score_command("nps", file, column, by, weight, as_json, min_n=min_n)


@app.command("csat")
def csat_command(
    file: Path = typer.Argument(..., help=FILE_HELP),
    column: str = typer.Option(..., "--column", help=COLUMN_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    weight: str | None = typer.Option(None, "--weight", help=WEIGHT_HELP),
    scale: int = typer.Option(5, "--scale", help="Answer scale 5, 7 or 10 / 量表（5、7 或 10）"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    min_n: int = typer.Option(30, "--min-n", help="Warn below this n / 低于此样本量时警告"),
) -> None:
    """CSAT: top-2-box percent and mean / 顾客满意度（前两格占比）."""
    _score_command("csat", file, column, by, weight, as_json, scale=scale, min_n=min_n)


@app.command("ces")
def ces_command(
    file: Path = typer.Argument(..., help=FILE_HELP),
    column: str = typer.Option(..., "--column", help=COLUMN_HELP),
    by: str | None = typer.Option(None, "--by", help=BY_HELP),
    weight: str | None = typer.Option(None, "--weight", help=WEIGHT_HELP),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
    min_n: int = typer.Option(30, "--min-n", help="Warn below this n / 低于此样本量时警告"),
) -> None:
    """Customer Effort Score (1-7 mean, share easy) / 顾客费力度."""
    _score_command("ces", file, column, by, weight, as_json, min_n=min_n)


@app.command("drivers")
def drivers_command(
    file: Path = typer.Argument(..., help=FILE_HELP),
    target: str = typer.Option(..., "--target", help="Overall satisfaction column / 总体满意度列"),
    drivers: str = typer.Option(
        ..., "--drivers", help="Comma-separated driver columns / 驱动因素列，逗号分隔"
    ),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """Key-driver analysis with the importance-performance map / 关键驱动因素分析."""
    frame = read_table(file)
    names = [d.strip() for d in drivers.split(",") if d.strip()]
    try:
        model = KeyDriverAnalysis().fit(frame, target, names)
        quadrants = model.quadrants()
    except ValueError as exc:
        _fail(str(exc))
    records = quadrants.drop(columns=["importance_cut", "performance_cut"]).to_dict("records")
    if as_json:
        _emit_json(
            {
                "target": target,
                "n": model.n_,
                "n_dropped": model.n_dropped_,
                "r2": model.r2_,
                "drivers": records,
            }
        )
        return
    table = Table(
        title=f"Key drivers of {target} / 关键驱动因素 (R²={model.r2_:.3f}, n={model.n_})"
    )
    for header in (
        "driver / 因素",
        "importance % / 重要性",
        "performance / 表现",
        "quadrant / 象限",
    ):
        table.add_column(header)
    for row in records:
        table.add_row(
            str(row["driver"]),
            f"{row['importance']:.1f}",
            f"{row['performance']:.2f}",
            row["quadrant"],
        )
    Console().print(table)


@app.command("csi")
def csi_command(
    file: Path = typer.Argument(..., help=FILE_HELP),
    spec: Path | None = typer.Option(
        None, "--spec", help="JSON model spec {blocks, paths} / 模型定义"
    ),
    scale_min: float = typer.Option(1, "--scale-min", help="Lowest answer / 量表最小值"),
    scale_max: float = typer.Option(10, "--scale-max", help="Highest answer / 量表最大值"),
    n_boot: int = typer.Option(200, "--boot", help="Bootstrap resamples / 自助抽样次数"),
    seed: int = typer.Option(0, "--seed", help="Bootstrap seed / 随机种子"),
    as_json: bool = typer.Option(False, "--json", help=JSON_HELP),
) -> None:
    """ECSI/ACSI satisfaction index by PLS path modelling / 顾客满意度指数模型."""
    frame = read_table(file)
    blocks = paths = None
    if spec is not None:
        try:
            blocks, paths = spec_from_mapping(json.loads(spec.read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError, ValueError) as exc:
            _fail(f"{spec.name}: {exc}")
    try:
        result = satisfaction_index(
            frame,
            blocks=blocks,
            paths=paths,
            scale=(scale_min, scale_max),
            n_boot=n_boot,
            seed=seed,
        )
    except ValueError as exc:
        _fail(str(exc))
    if as_json:
        _emit_json(result.to_dict())
        return
    console = Console()
    index = Table(title=f"Satisfaction index 0-100 / 满意度指数 (n={result.n})")
    index.add_column("latent / 潜变量")
    index.add_column("index / 指数")
    index.add_column("R²")
    for latent, value in result.index.items():
        r2 = result.r2.get(latent)
        index.add_row(
            result.labels.get(str(latent), str(latent)),
            f"{value:.1f}",
            "" if r2 is None else f"{r2:.3f}",
        )
    console.print(index)
    paths_table = Table(title="Paths / 路径系数 (bootstrap 95% CI)")
    for header in ("from / 从", "to / 到", "estimate / 估计", "CI"):
        paths_table.add_column(header)
    for row in result.paths.to_dict("records"):
        paths_table.add_row(
            row["from"],
            row["to"],
            f"{row['estimate']:.3f}",
            f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]",
        )
    console.print(paths_table)
