"""`manyi segment ...` commands."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from manyi.analytics.segments.clusters import BehaviourClusters, behaviour_features
from manyi.analytics.segments.definition import evaluate_definition
from manyi.analytics.segments.orders import (
    CleanedOrders,
    canonicalise_order_lines,
    clean_orders,
    map_order_headers,
    read_table,
)
from manyi.analytics.segments.personas import build_personas
from manyi.analytics.segments.pipeline import SegmentationResult, segment_customers
from manyi.analytics.segments.rfm import RFMRules, compute_rfm, default_rules_table, load_rules
from manyi.analytics.segments.tiers import TIER_NAMES, value_tiers
from manyi.cli.context import open_database
from manyi.errors import ManyiError
from manyi.segment import service as segment_service
from manyi.segment.personas import segment_personas
from manyi.store.engine import unit_of_work

app = typer.Typer(
    help="Customer segmentation: RFM, clusters, tiers, lifecycle, personas / 客户分群",
    no_args_is_help=True,
)

OrdersFile = Annotated[
    Path, typer.Argument(help="Order lines: .csv, .csv.gz, .xlsx or .jsonl / 订单明细文件")
]
AsOf = Annotated[
    str, typer.Option("--as-of", help="Measure recency to this day, YYYY-MM-DD / 截止日期")
]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write one row per customer (CSV) / 输出文件")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables / 输出 JSON")]

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_PHONE_OR_NUMBER = re.compile(r"^[+-]?\d[\d\s().-]*$")
_UTC_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"


def _safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in exported text cells (numbers and phones stay)."""
    if isinstance(value, str) and _FORMULA_START.match(value) and not _PHONE_OR_NUMBER.match(value):
        return "'" + value
    return value


def _parse_as_of(as_of: str) -> date:
    """Parse --as-of strictly as YYYY-MM-DD."""
    try:
        return date.fromisoformat(as_of)
    except ValueError as exc:
        raise typer.BadParameter(f"--as-of {as_of!r} is not a date YYYY-MM-DD") from exc


def _utc_naive(values: pd.Series) -> pd.Series:
    """Order times with a UTC offset (``2026-03-05 14:23:00+08:00``) as naive UTC, like the database.

    Offsets may differ between rows; times without an offset are taken as already UTC. Columns
    without any offset are returned unchanged (the order reader parses them).
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    if pd.api.types.is_datetime64_any_dtype(values) or pd.api.types.is_numeric_dtype(values):
        return values
    text = values.astype("string").str.strip()
    if not text.str.contains(_UTC_OFFSET, regex=True, na=False).any():
        return values
    parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
    if parsed.isna().sum() > text.isna().sum():
        parsed = pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
    return parsed.dt.tz_localize(None)


def read_orders_file(path: Path) -> pd.DataFrame:
    """Read an order file into canonical lines, with offset-carrying times turned into UTC."""
    if not path.is_file():
        raise ValueError(f"order file {path} does not exist")
    frame = read_table(path, id_columns=())
    if frame.empty and len(frame.columns) == 0:
        raise ValueError(f"order file {path} is empty")
    for column, target in map_order_headers([str(c) for c in frame.columns]).items():
        if target == "ordered_at":
            frame[column] = _utc_naive(frame[column])
    return canonicalise_order_lines(frame)


def _load_cleaned(path: Path, as_of: date) -> CleanedOrders:
    """Read and clean an order file, turning bad input into a clear CLI error."""
    try:
        cleaned = clean_orders(read_orders_file(path), as_of)
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="ORDERS_FILE") from exc
    if cleaned.lines.empty:
        raise typer.BadParameter("no usable order lines after cleaning", param_hint="ORDERS_FILE")
    return cleaned


def _load_lines(path: Path, as_of: date) -> pd.DataFrame:
    """Cleaned order lines of a file (see `_load_cleaned`)."""
    return _load_cleaned(path, as_of).lines


def _cleaning_report(cleaned: CleanedOrders) -> dict[str, object]:
    """What cleaning kept and removed, for JSON and the console."""
    removed = cleaned.removed[cleaned.removed["lines"] > 0]
    return {
        "input_lines": cleaned.notes.get("input_lines"),
        "kept_lines": cleaned.notes.get("kept_lines"),
        "reversal_lines": cleaned.notes.get("reversal_lines"),
        "customers_without_purchase": cleaned.customers_without_purchase,
        "removed": removed[["reason", "reason_zh", "lines"]].to_dict(orient="records"),
    }


def _write_csv(frame: pd.DataFrame, output: Path) -> None:
    """Write a table as UTF-8 CSV with formula-like text cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column]):
            safe[column] = safe[column].astype("object").map(_safe_cell)
    safe.to_csv(output, index=False, encoding="utf-8")


def _segment_table(customers: pd.DataFrame, rules: RFMRules) -> pd.DataFrame:
    """Customers, share and monetary share per segment in rules order."""
    total = customers["monetary"].clip(lower=0).sum()
    grouped = customers.groupby("segment", observed=False)
    table = pd.DataFrame(
        {
            "customers": grouped.size(),
            "monetary": grouped["monetary"].apply(lambda s: s.clip(lower=0).sum()),
        }
    )
    table["share"] = table["customers"] / max(len(customers), 1)
    table["monetary_share"] = table["monetary"] / total if total > 0 else 0.0
    en, zh = rules.names("en"), rules.names("zh")
    table.insert(0, "name_zh", [zh.get(str(s), str(s)) for s in table.index])
    table.insert(0, "name_en", [en.get(str(s), str(s)) for s in table.index])
    table.index.name = "segment"
    return table.reset_index()


@app.command("rfm")
def rfm_command(
    orders_file: OrdersFile,
    as_of: AsOf,
    output: Output = None,
    rules_file: Annotated[
        Path | None,
        typer.Option("--rules", help="RFM rules CSV (see `manyi segment rules`) / 分群规则表"),
    ] = None,
    tiers: Annotated[
        str,
        typer.Option(
            "--tiers",
            help="Lower value percentiles of VIP,high,medium tiers / 价值层级分位点",
        ),
    ] = "0.95,0.80,0.50",
    as_json: AsJson = False,
) -> None:
    """RFM scores, segment, value tier and lifecycle per customer / RFM 分群、价值层级与生命周期."""
    day = _parse_as_of(as_of)
    try:
        rules = load_rules(rules_file)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--rules") from exc
    try:
        cutoffs = tuple(float(x) for x in tiers.split(","))
        value_tiers([1.0], cutoffs)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--tiers") from exc
    cleaned = _load_cleaned(orders_file, day)
    result = segment_customers(cleaned.lines, day, rules=rules, tier_cutoffs=cutoffs)
    report = _cleaning_report(cleaned)
    customers = result.customers
    if output is not None:
        _write_csv(customers, output)
    table = _segment_table(customers, rules)
    if as_json:
        payload = {
            "as_of": day.isoformat(),
            "customers": result.n_customers,
            "pareto_top20_share": round(result.pareto_top20_share, 6),
            "segments": table.to_dict(orient="records"),
            "cleaning": report,
            "output": str(output) if output else None,
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, default=str))
        return
    _print_rfm_summary(Console(), result, table, report, day)
    if output is not None:
        Console().print(f"Wrote / 已写入 {output}", markup=False)


def _print_rfm_summary(
    console: Console,
    result: SegmentationResult,
    table: pd.DataFrame,
    report: dict[str, object],
    day: date,
) -> None:
    """Cleaning account, Pareto share, segment table and tier counts, in both languages."""
    rows = report["removed"]
    removed = "; ".join(
        f"{r['reason']} / {r['reason_zh']}: {r['lines']:,}"
        for r in (rows if isinstance(rows, list) else [])
    )
    console.print(
        f"Lines / 明细: {report['input_lines']:,} read, {report['kept_lines']:,} kept "
        f"({report['reversal_lines']:,} cancellation/return lines netted out / 退单冲减)"
        + (f"; removed / 剔除: {removed}" if removed else ""),
        markup=False,
    )
    customers, share = result.customers, result.pareto_top20_share
    console.print(
        f"Customers / 客户数: {len(customers):,}   as of / 截止: {day.isoformat()}\n"
        f"Pareto: top 20% of customers hold {share:.1%} of revenue / "
        f"前 20% 客户贡献 {share:.1%} 的收入"
    )
    rich_table = Table(title="RFM segments / RFM 客户分群")
    for column in ("segment", "名称", "customers 客户数", "share 占比", "revenue share 收入占比"):
        rich_table.add_column(column, justify="left" if column in ("segment", "名称") else "right")
    for row in table.itertuples(index=False):
        rich_table.add_row(
            escape(str(row.name_en)),
            escape(str(row.name_zh)),
            f"{row.customers:,}",
            f"{row.share:.1%}",
            f"{row.monetary_share:.1%}",
        )
    console.print(rich_table)
    tier_counts = customers["tier"].value_counts().reindex(list(TIER_NAMES["en"]), fill_value=0)
    console.print(
        "Tiers / 价值层级: "
        + ", ".join(
            f"{TIER_NAMES['en'][t]} {TIER_NAMES['zh'][t]} {n:,}" for t, n in tier_counts.items()
        )
    )


@app.command("rules")
def rules_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Save the table as CSV to edit / 保存")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Print the editable default RFM rules table / 显示可编辑的默认 RFM 分群规则."""
    table = default_rules_table()
    if output is not None:
        table.to_csv(output, index=False, encoding="utf-8")
    if as_json:
        typer.echo(json.dumps(table.to_dict(orient="records"), ensure_ascii=False))
        return
    rich_table = Table(title="RFM rules (first match wins) / RFM 规则（按顺序匹配）")
    for column in ("segment", "R", "FM", "name_en", "name_zh"):
        rich_table.add_column(column)
    for row in table.itertuples(index=False):
        rich_table.add_row(
            escape(str(row.segment)),
            f"{row.r_min}-{row.r_max}",
            f"{row.fm_min}-{row.fm_max}",
            escape(str(row.name_en)),
            escape(str(row.name_zh)),
        )
    console = Console()
    console.print(rich_table)
    console.print("FM = round((F + M) / 2). Edit a copy and pass it with `--rules FILE`.")
    if output is not None:
        console.print(f"Wrote / 已写入 {output}", markup=False)


@app.command("clusters")
def clusters_command(
    orders_file: OrdersFile,
    as_of: AsOf,
    output: Output = None,
    method: Annotated[
        str, typer.Option("--method", help="kmeans (silhouette) or gmm (BIC) / 聚类方法")
    ] = "kmeans",
    k: Annotated[
        int | None, typer.Option("--k", min=2, max=20, help="Fix the number of clusters / 簇数")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed / 随机种子")] = 0,
    as_json: AsJson = False,
) -> None:
    """Behavioural clusters (k-means or Gaussian mixture) with profiles / 行为聚类与画像."""
    if method not in ("kmeans", "gmm"):
        raise typer.BadParameter("--method must be kmeans or gmm")
    day = _parse_as_of(as_of)
    lines = _load_lines(orders_file, day)
    features = behaviour_features(lines, day)
    if len(features) < 3:
        raise typer.BadParameter("need at least 3 customers to cluster", param_hint="ORDERS_FILE")
    model = BehaviourClusters(method=method, n_clusters=k, random_state=seed).fit(features)
    if output is not None:
        labelled = features.reset_index()
        labelled["cluster"] = model.labels_
        _write_csv(labelled, output)
    profiles = model.profiles_
    if as_json:
        payload = {
            "method": method,
            "k": model.n_clusters_,
            "selection": {str(key): value for key, value in model.selection_scores_.items()},
            "profiles": profiles.reset_index().to_dict(orient="records"),
        }
        typer.echo(json.dumps(payload, ensure_ascii=False, default=float))
        return
    console = Console()
    criterion = "silhouette" if method == "kmeans" else "BIC"
    console.print(
        f"{method}: k = {model.n_clusters_} chosen by {criterion} / 按 {criterion} 选择簇数; "
        + ", ".join(f"k={key}: {value:.3f}" for key, value in model.selection_scores_.items())
    )
    rich_table = Table(title="Cluster profiles (means) / 簇画像（均值）")
    rich_table.add_column("cluster 簇")
    for column in profiles.columns:
        rich_table.add_column(column, justify="right")
    for label, row in profiles.iterrows():
        cells = [f"{int(row['customers']):,}", *(f"{v:,.2f}" for v in row.to_numpy()[1:])]
        rich_table.add_row(str(label), *cells)
    console.print(rich_table)


def _read(path: Path, hint: str) -> pd.DataFrame:
    """Read a customer/segment/feedback table or fail with a clear CLI error."""
    try:
        return read_table(path)
    except (ValueError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint=hint) from exc


@app.command("personas")
def personas_command(
    customers_file: Annotated[
        Path | None,
        typer.Argument(
            help="Customers with demographics (.csv/.xlsx/.jsonl); omit to use the database "
            "/ 客户资料（省略则使用数据库）"
        ),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="Day, YYYY-MM-DD (files: required; database: snapshot day, default latest) "
            "/ 截止日期",
        ),
    ] = None,
    segments_file: Annotated[
        Path | None,
        typer.Option("--segments", help="customer_id + segment, e.g. `rfm --output` / 分群结果"),
    ] = None,
    segment_column: Annotated[
        str, typer.Option("--segment-column", help="Column holding the segment / 分群列")
    ] = "segment",
    orders_file: Annotated[
        Path | None, typer.Option("--orders", help="Order lines for spend and categories / 订单")
    ] = None,
    feedback_file: Annotated[
        Path | None,
        typer.Option("--feedback", help="customer_id, aspect, sentiment per item / 反馈"),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Database: rfm, tier, lifecycle or cluster / 分群类型")
    ] = "rfm",
    lang: Annotated[
        str | None, typer.Option("--lang", help="zh or en (default: both) / 语言（默认中英文）")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Persona card and narrative per segment, English and Chinese / 分群画像（中英文）."""
    if lang not in (None, "zh", "en"):
        raise typer.BadParameter("--lang must be zh or en", param_hint="--lang")
    if customers_file is None:
        _db_personas(as_of, kind, lang, as_json)
        return
    if as_of is None:
        raise typer.BadParameter("--as-of is required with a customers file", param_hint="--as-of")
    day = _parse_as_of(as_of)
    customers = _read(customers_file, "CUSTOMERS_FILE")
    segments: pd.Series | str = segment_column
    if segments_file is not None:
        table = _read(segments_file, "--segments")
        if segment_column not in table.columns or "customer_id" not in table.columns:
            raise typer.BadParameter(
                f"needs columns customer_id and {segment_column}", param_hint="--segments"
            )
        segments = table.set_index("customer_id")[segment_column]
    lines = rfm = None
    if orders_file is not None:
        lines = _load_lines(orders_file, day)
        rfm = compute_rfm(lines, day)
    feedback = _read(feedback_file, "--feedback") if feedback_file is not None else None
    try:
        cards = build_personas(
            customers, segments, orders=lines, rfm=rfm, feedback=feedback, as_of=day
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="CUSTOMERS_FILE") from exc
    if as_json:
        typer.echo(json.dumps([c.to_dict() for c in cards], ensure_ascii=False, default=str))
        return
    console = Console()
    for card in cards:
        console.rule(escape(f"{card.segment}  ({card.customers:,}, {card.share:.1%})"))
        if lang != "zh":
            console.print(card.narrative_en, markup=False)
        if lang != "en":
            console.print(card.narrative_zh, markup=False)


@app.command("select")
def select_command(
    table_file: Annotated[Path, typer.Argument(help="Customer table (.csv/.xlsx/.jsonl) / 客户表")],
    where: Annotated[
        str,
        typer.Option(
            "--where",
            help='Expression such as "city_tier in (1,2) and nps <= 6" or JSON / 筛选条件',
        ),
    ],
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Select the customers a segment definition matches / 按分群定义筛选客户."""
    table = _read(table_file, "TABLE_FILE")
    try:
        mask = evaluate_definition(where, table)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--where") from exc
    selected = table[mask.to_numpy()]
    if output is not None:
        _write_csv(selected, output)
    if as_json:
        typer.echo(json.dumps({"matched": int(mask.sum()), "total": len(table)}))
        return
    Console().print(
        f"Matched / 匹配: {int(mask.sum()):,} of / 共 {len(table):,} "
        f"({mask.mean():.1%})" + (f"; wrote / 已写入 {output}" if output else "")
    )


def _fail(message: str) -> typer.Exit:
    """Print a user error to stderr and give exit code 2."""
    typer.echo(f"error / 错误: {message}", err=True)
    return typer.Exit(2)


def _kinds(value: str) -> tuple[str, ...]:
    """Parse --kinds (comma-separated, allow-listed)."""
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in segment_service.KINDS]
    if not kinds or unknown:
        raise typer.BadParameter(
            f"use some of {', '.join(segment_service.KINDS)}", param_hint="--kinds"
        )
    return kinds


@app.command("snapshot")
def snapshot_command(
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Segment as of this day, YYYY-MM-DD (default today, UTC) / 截止日期"
        ),
    ] = None,
    kinds: Annotated[
        str, typer.Option("--kinds", help="Comma-separated: rfm,tier,lifecycle,cluster / 分群类型")
    ] = ",".join(segment_service.KINDS),
    seed: Annotated[int, typer.Option("--seed", help="Clustering seed / 聚类随机种子")] = 0,
    as_json: AsJson = False,
) -> None:
    """Segment the customers in the database and store a snapshot per kind / 计算并保存分群快照.

    A second run for the same day replaces that day's snapshots (no duplicates).
    """
    day = _parse_as_of(as_of) if as_of else datetime.now(UTC).date()
    wanted = _kinds(kinds)
    console = Console(stderr=as_json)
    db = open_database()
    try:
        with (
            console.status("Segmenting customers / 正在分群 …"),
            unit_of_work(db.sessions) as session,
        ):
            infos = segment_service.compute_snapshots(
                session=session,
                as_of=day,
                kinds=wanted,
                options=segment_service.SegmentOptions(seed=seed),
            )
    except ManyiError as exc:
        raise _fail(exc.message) from exc
    finally:
        db.engine.dispose()
    if as_json:
        payload = [
            {"id": i.id, "kind": i.kind, "as_of": i.as_of.isoformat(), **i.summary} for i in infos
        ]
        typer.echo(json.dumps(payload, ensure_ascii=False, default=str))
        return
    if not infos:
        console.print(
            f"No purchases up to {day.isoformat()}; nothing stored / 截至该日没有购买记录"
        )
        return
    for info in infos:
        _print_snapshot(console, info)


def _print_snapshot(console: Console, info: segment_service.SnapshotInfo) -> None:
    """One table per stored snapshot: segment, customers, share, revenue share."""
    kind_en = segment_service.KIND_NAMES["en"][info.kind]
    kind_zh = segment_service.KIND_NAMES["zh"][info.kind]
    table = Table(
        title=f"{kind_en} / {kind_zh} · {info.as_of.isoformat()} · "
        f"{info.customers:,} customers / 位客户 (snapshot #{info.id})"
    )
    for column in ("segment", "名称", "customers 客户数", "share 占比", "revenue share 收入占比"):
        table.add_column(column, justify="left" if column in ("segment", "名称") else "right")
    for row in info.summary.get("segments", []):
        key = str(row["segment"])
        table.add_row(
            escape(segment_service.segment_label(info, key, "en")),
            escape(segment_service.segment_label(info, key, "zh")),
            f"{row['customers']:,}",
            f"{row['share']:.1%}",
            f"{row['monetary_share']:.1%}",
        )
    console.print(table)
    if info.kind == "tier" and "pareto_top20_share" in info.summary:
        share = float(info.summary["pareto_top20_share"])
        console.print(
            f"Pareto: top 20% hold {share:.1%} of revenue / 前 20% 客户贡献 {share:.1%} 的收入"
        )
    if info.kind == "cluster" and "k" in info.summary:
        console.print(f"k = {info.summary['k']} chosen by silhouette / 按轮廓系数选择")


def _db_personas(as_of: str | None, kind: str, lang: str | None, as_json: bool) -> None:
    """Persona cards of a stored snapshot (the latest, or the one of --as-of)."""
    day = _parse_as_of(as_of) if as_of else None
    if kind not in segment_service.KINDS:
        raise typer.BadParameter(
            f"use one of {', '.join(segment_service.KINDS)}", param_hint="--kind"
        )
    db = open_database()
    try:
        with db.sessions() as session:
            report = segment_personas(session=session, kind=kind, as_of=day)
    except ManyiError as exc:
        raise _fail(exc.message) from exc
    finally:
        db.engine.dispose()
    data = report.to_dict()
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, default=str))
        return
    console = Console()
    console.print(
        f"{segment_service.KIND_NAMES['en'][kind]} / {segment_service.KIND_NAMES['zh'][kind]} · "
        f"{data['as_of']} · {data['feedback_aspects']:,} analysed feedback aspects / 条反馈要点",
        markup=False,
    )
    for card in data["cards"]:
        name = card["label_zh"] if lang == "zh" else card["label_en"]
        if lang is None:
            name = f"{card['label_en']} / {card['label_zh']}"
        console.rule(escape(f"{name}  ({card['customers']:,}, {card['share']:.1%})"))
        if lang != "zh":
            console.print(card["narrative_en"], markup=False)
        if lang != "en":
            console.print(card["narrative_zh"], markup=False)
