"""`manyi metrics ...` commands."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from manyi.analytics.metrics.breakdown import summarise
from manyi.analytics.metrics.csi import satisfaction_index, spec_from_mapping
from manyi.analytics.metrics.drivers import KeyDriverAnalysis
from manyi.analytics.metrics.trend import trend as file_trend
from manyi.analytics.metrics.validation import check_weights
from manyi.cli.context import open_database
from manyi.errors import ManyiError
from manyi.satisfaction import service as satisfaction
from manyi.satisfaction.frames import RatingFilter
from manyi.satisfaction.shapes import json_safe, summary_payload

app = typer.Typer(
    help="Satisfaction metrics: NPS, CSAT, CES, drivers, gaps, index / 满意度指标",
    no_args_is_help=True,
)

FILE_HELP = "CSV, XLSX or JSONL file / 数据文件（CSV、XLSX 或 JSONL）"
COLUMN_HELP = "Column holding the answers / 评分所在列"
BY_HELP = "Break down by this column / 按此列分组"
WEIGHT_HELP = "Survey weight column / 权重列"
JSON_HELP = "Print one JSON object / 输出 JSON"
DB_HELP = "Read the answers from the database instead of a file / 从数据库读取评分"
DB_BY_HELP = (
    "Break down by these attributes (comma-separated: region, channel, touchpoint, store, "
    "city, gender, age_band, income_band, category, sentiment, aspect, segment:KIND, ...) / 分组属性"
)
SINCE_HELP = "Only answers received on or after this day, YYYY-MM-DD / 起始日期"
UNTIL_HELP = "Only answers received on or before this day, YYYY-MM-DD / 截止日期"
CHANNEL_HELP = "Only answers from this channel (survey, review, ...) / 仅此渠道"
PERIOD_HELP = "day, week, month or quarter / 统计周期"


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


def _emit_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout."""
    typer.echo(json.dumps(json_safe(payload), ensure_ascii=False))


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
    payload = summary_payload(metric, summary, [by] if by else [], confidence=confidence)
    if as_json:
        _emit_json({"metric": metric, "column": column, **payload})
        return
    _print_table(metric, payload["overall"], payload["groups"], by)


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
            escape(row["key"]),
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


def _parse_day(value: str | None, option: str) -> date | None:
    """Parse a YYYY-MM-DD option strictly, or exit 2 naming it."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value[:40]!r}: not a date YYYY-MM-DD")


def _filters(since: str | None, until: str | None, channel: str | None) -> RatingFilter:
    """The database filters from the options (bad values exit 2)."""
    try:
        return RatingFilter(
            since=_parse_day(since, "--since"), until=_parse_day(until, "--until"), channel=channel
        )
    except ManyiError as exc:
        _fail(exc.message)


def _db_call(action: Any, **kwargs: Any) -> dict[str, Any]:
    """Run one satisfaction service call in a read-only session; ManyiError exits 2."""
    db = open_database()
    try:
        with db.sessions() as session:
            return action(session=session, **kwargs)
    except ManyiError as exc:
        _fail(exc.message)
    finally:
        db.engine.dispose()


def _print_periods(periods: dict[str, Any]) -> None:
    """One line: this period against the previous one, with the p-value."""
    comparison = periods.get("comparison")
    console = Console(soft_wrap=True)
    if not comparison:
        console.print(f"{periods.get('warning') or 'no comparison'}", markup=False)
        return
    console.print(
        f"{periods['a']['label']} vs {periods['b']['label']}: "
        f"{_fmt(comparison['score_a'])} (n={comparison['n_a']}) vs "
        f"{_fmt(comparison['score_b'])} (n={comparison['n_b']}), "
        f"difference {_fmt(comparison['difference'])} "
        f"[{_fmt(comparison['ci_low'])}, {_fmt(comparison['ci_high'])}], "
        f"p = {comparison['p_value']:.3g} ({comparison['test']})",
        markup=False,
        highlight=False,
    )


def _db_score_command(
    metric: str,
    by: str | None,
    since: str | None,
    until: str | None,
    channel: str | None,
    period: str | None,
    as_json: bool,
    min_n: int,
) -> None:
    """nps/csat/ces over the database: overall, breakdown, optional this-vs-last period."""
    filters = _filters(since, until, channel)
    payload = _db_call(satisfaction.summary, metric=metric, by=by, filters=filters, min_n=min_n)
    if period is not None:
        payload["periods"] = _db_call(
            satisfaction.compare_periods,
            metric=metric,
            period=period,
            as_of=filters.until,
            channel=channel,
            min_n=min_n,
        )
    if as_json:
        _emit_json(payload)
        return
    _print_table(metric, payload["overall"], payload["groups"], ", ".join(payload["by"]) or None)
    overall = payload["overall"]
    if overall["n_invalid"] or overall["n_unkeyed"]:
        Console().print(
            f"left out: {overall['n_invalid']} off-scale answers; "
            f"{overall['n_unkeyed']} answers without a {', '.join(payload['by'])} value",
            markup=False,
        )
    if period is not None:
        _print_periods(payload["periods"])


def _dispatch(
    metric: str,
    file: Path | None,
    column: str | None,
    db: bool,
    **options: Any,
) -> None:
    """File mode (FILE --column) or database mode (--db); exactly one of them."""
    if db:
        if file is not None or column is not None or options.get("weight"):
            _fail("--db reads the database: give no FILE, --column or --weight with it")
        _db_score_command(
            metric,
            options["by"],
            options["since"],
            options["until"],
            options["channel"],
            options["period"],
            options["as_json"],
            options["min_n"],
        )
        return
    if file is None or column is None:
        _fail(
            "give a FILE and --column, or --db to read the database / 请指定文件和列，或使用 --db"
        )
    for name in ("since", "until", "channel", "period"):
        if options.get(name) is not None:
            _fail(f"--{name} works with --db only; filter the file before scoring it")
    _score_command(
        metric,
        file,
        column,
        options["by"],
        options["weight"],
        options["as_json"],
        scale=options.get("scale", 5),
        min_n=options["min_n"],
    )


FileArg = typer.Argument(None, help=FILE_HELP + " (omit with --db)")
ColumnOpt = typer.Option(None, "--column", help=COLUMN_HELP)
ByOpt = typer.Option(None, "--by", help=BY_HELP + "; with --db: " + DB_BY_HELP)
WeightOpt = typer.Option(None, "--weight", help=WEIGHT_HELP)
JsonOpt = typer.Option(False, "--json", help=JSON_HELP)
MinNOpt = typer.Option(30, "--min-n", help="Warn below this n / 低于此样本量时警告")
DbOpt = typer.Option(False, "--db", help=DB_HELP)
SinceOpt = typer.Option(None, "--since", help=SINCE_HELP)
UntilOpt = typer.Option(None, "--until", help=UNTIL_HELP)
ChannelOpt = typer.Option(None, "--channel", help=CHANNEL_HELP)
PeriodOpt = typer.Option(
    None, "--period", help="With --db: also compare this period with the last / " + PERIOD_HELP
)


@app.command("nps")
def nps_command(
    file: Path | None = FileArg,
    column: str | None = ColumnOpt,
    by: str | None = ByOpt,
    weight: str | None = WeightOpt,
    as_json: bool = JsonOpt,
    min_n: int = MinNOpt,
    db: bool = DbOpt,
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    channel: str | None = ChannelOpt,
    period: str | None = PeriodOpt,
) -> None:
    """Net Promoter Score (0-10 answers, -100..100) / 净推荐值."""
    _dispatch(
        "nps",
        file,
        column,
        db,
        by=by,
        weight=weight,
        as_json=as_json,
        min_n=min_n,
        since=since,
        until=until,
        channel=channel,
        period=period,
    )


@app.command("csat")
def csat_command(
    file: Path | None = FileArg,
    column: str | None = ColumnOpt,
    by: str | None = ByOpt,
    weight: str | None = WeightOpt,
    scale: int = typer.Option(5, "--scale", help="Answer scale 5, 7 or 10 / 量表（5、7 或 10）"),
    as_json: bool = JsonOpt,
    min_n: int = MinNOpt,
    db: bool = DbOpt,
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    channel: str | None = ChannelOpt,
    period: str | None = PeriodOpt,
) -> None:
    """CSAT: top-2-box percent and mean (database: 1-5 stars) / 顾客满意度（前两格占比）."""
    if db and scale != 5:
        _fail("--scale: stored CSAT answers are 1-5 stars; --scale applies to files only")
    _dispatch(
        "csat",
        file,
        column,
        db,
        by=by,
        weight=weight,
        scale=scale,
        as_json=as_json,
        min_n=min_n,
        since=since,
        until=until,
        channel=channel,
        period=period,
    )


@app.command("ces")
def ces_command(
    file: Path | None = FileArg,
    column: str | None = ColumnOpt,
    by: str | None = ByOpt,
    weight: str | None = WeightOpt,
    as_json: bool = JsonOpt,
    min_n: int = MinNOpt,
    db: bool = DbOpt,
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    channel: str | None = ChannelOpt,
    period: str | None = PeriodOpt,
) -> None:
    """Customer Effort Score (1-7 mean, share easy) / 顾客费力度."""
    _dispatch(
        "ces",
        file,
        column,
        db,
        by=by,
        weight=weight,
        as_json=as_json,
        min_n=min_n,
        since=since,
        until=until,
        channel=channel,
        period=period,
    )


METRIC_HELP = "nps, csat or ces / 指标"


def _check_metric(metric: str) -> None:
    """Exit 2 unless the metric is one of nps, csat, ces."""
    if metric not in satisfaction.METRICS:
        _fail(f"--metric {metric[:20]!r}: use one of {', '.join(satisfaction.METRICS)}")


def _print_trend(payload: dict[str, Any]) -> None:
    """The trend as a table, out-of-control periods marked."""
    table = Table(
        title=f"{payload['metric'].upper()} by {payload['period']} / 趋势 "
        f"(centre {_fmt(payload['centre'])}, ±{payload['sigma']:g}σ limits / 控制限)"
    )
    for header in ("period / 周期", "n", "score / 得分", "LCL", "UCL", "flag / 标记"):
        table.add_column(header)
    for p in payload["points"]:
        flag = "OUT / 失控" if p["out_of_control"] and p["n"] else ""
        flag += " *" if p["small_sample"] else ""
        table.add_row(
            p["period"], str(p["n"]), _fmt(p["score"]), _fmt(p["lcl"]), _fmt(p["ucl"]), flag
        )
    console = Console()
    console.print(table)
    console.print("* small sample, read with care / 样本量过小，仅供参考")


@app.command("trend")
def trend_command(
    file: Path | None = FileArg,
    column: str | None = ColumnOpt,
    date_column: str | None = typer.Option(None, "--date", help="Date column of the file / 日期列"),
    metric: str = typer.Option("nps", "--metric", help=METRIC_HELP),
    period: str = typer.Option("month", "--period", help=PERIOD_HELP),
    window: int = typer.Option(1, "--window", help="Rolling window in periods / 滚动窗口"),
    db: bool = DbOpt,
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    channel: str | None = ChannelOpt,
    as_json: bool = JsonOpt,
    min_n: int = MinNOpt,
) -> None:
    """A metric per period with control limits; flags periods out of control / 趋势与控制限."""
    _check_metric(metric)
    if db:
        if file is not None or column is not None or date_column is not None:
            _fail("--db reads the database: give no FILE, --column or --date with it")
        payload = _db_call(
            satisfaction.trend,
            metric=metric,
            period=period,
            window=window,
            filters=_filters(since, until, channel),
            min_n=min_n,
        )
    else:
        if file is None or column is None or date_column is None:
            _fail(
                "give a FILE with --column and --date, or --db / 请指定文件、评分列和日期列，或使用 --db"
            )
        if since or until or channel:
            _fail("--since, --until and --channel work with --db only")
        payload = _file_trend(file, column, date_column, metric, period, window, min_n)
    if as_json:
        _emit_json(payload)
        return
    _print_trend(payload)


def _file_trend(
    file: Path, column: str, date_column: str, metric: str, period: str, window: int, min_n: int
) -> dict[str, Any]:
    """The trend of a file's column (same shape as the database trend)."""
    frame = read_table(file)
    try:
        table = file_trend(
            frame, column, date_column, metric=metric, freq=period, window=window, min_n=min_n
        )
    except ValueError as exc:
        _fail(str(exc))
    points = json_safe(table.to_dict("records"))
    return {
        "metric": metric,
        "period": period,
        "window": window,
        "sigma": 3.0,
        "centre": points[0]["centre"] if points else None,
        "n": int(table["n"].sum()),
        "points": points,
        "flagged": [p["period"] for p in points if p["out_of_control"] and p["n"] > 0],
    }


@app.command("compare")
def compare_command(
    db: bool = DbOpt,
    metric: str = typer.Option("nps", "--metric", help=METRIC_HELP),
    by: str | None = typer.Option(
        None, "--by", help="Compare groups of this attribute / 按此属性比较"
    ),
    a: str | None = typer.Option(None, "--a", help="First group (with --by) / 第一组"),
    b: str | None = typer.Option(None, "--b", help="Second group (with --by) / 第二组"),
    period: str = typer.Option(
        "month", "--period", help="Without --by: this period vs the last / " + PERIOD_HELP
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="Day inside 'this' period (default: latest answer) / 基准日期"
    ),
    since: str | None = SinceOpt,
    until: str | None = UntilOpt,
    channel: str | None = ChannelOpt,
    as_json: bool = JsonOpt,
    min_n: int = MinNOpt,
) -> None:
    """Is the difference real? Periods or groups, with the test and p-value / 差异检验."""
    _check_metric(metric)
    if not db:
        _fail("compare reads the database: add --db (for files use the library's compare_two)")
    if by is None:
        payload = _db_call(
            satisfaction.compare_periods,
            metric=metric,
            period=period,
            as_of=_parse_day(as_of, "--as-of"),
            channel=channel,
            min_n=min_n,
        )
    else:
        payload = _db_call(
            satisfaction.compare,
            metric=metric,
            by=by,
            a=a,
            b=b,
            filters=_filters(since, until, channel),
            min_n=min_n,
        )
    if as_json:
        _emit_json(payload)
        return
    _print_comparison(payload)


def _print_comparison(payload: dict[str, Any]) -> None:
    """A pair as one line, or all pairs as a table with adjusted p-values."""
    if "pairs" not in payload:
        _print_periods(payload)
        return
    table = Table(
        title=f"{payload['metric'].upper()} by {payload['by']}: all pairs ({payload['adjust']})"
    )
    for header in ("A", "B", "A − B", "p", "p adj.", "sig."):
        table.add_column(header)
    for row in payload["pairs"]:
        table.add_row(
            escape(str(row["group_a"])),
            escape(str(row["group_b"])),
            _fmt(row["difference"]),
            f"{row['p_value']:.3g}",
            f"{row['p_adjusted']:.3g}",
            "*" if row["significant"] else "",
        )
    Console().print(table)


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
