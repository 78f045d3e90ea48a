"""`manyi predict ...` commands: purchase models, CLV, holdout calibration, churn."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from manyi.analytics.predict.bgnbd import BetaGeoModel
from manyi.analytics.predict.calibration import calibration_report
from manyi.analytics.predict.churn import (
    ChurnModel,
    churn_from_alive,
    cross_validate_churn,
    risk_list,
)
from manyi.analytics.predict.clv import customer_lifetime_value
from manyi.analytics.predict.gamma_gamma import GammaGammaModel
from manyi.analytics.predict.inputs import detect_log_columns, summary_columns
from manyi.analytics.predict.mbgnbd import ModifiedBetaGeoModel
from manyi.analytics.predict.retention import DEFAULT_RULES, recommend_actions, validate_rules
from manyi.analytics.predict.rfm_summary import calibration_and_holdout, summary_from_transactions
from manyi.cli.context import open_database
from manyi.errors import ManyiError
from manyi.scoring import service as scoring_service
from manyi.store.engine import unit_of_work

app = typer.Typer(
    help="Predictive models: CLV, purchase counts, churn / 预测模型", no_args_is_help=True
)

DataFile = Annotated[
    Path,
    typer.Argument(
        help="Customer summary (frequency, recency, T) or transaction log: .csv, .xlsx, .jsonl, "
        "or whitespace-separated .txt (CDNOW) / 客户汇总表或交易明细",
        exists=True,
        dir_okay=False,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON / 输出 JSON")]
CustomerCol = Annotated[
    str | None, typer.Option("--customer", help="Customer id column (auto) / 客户列")
]
DateCol = Annotated[str | None, typer.Option("--date", help="Date column (auto) / 日期列")]
ValueCol = Annotated[str | None, typer.Option("--value", help="Value column (auto) / 金额列")]
Unit = Annotated[
    str, typer.Option("--unit", help="Time unit of the model: D (days) or W (weeks) / 时间单位")
]
ObservationEnd = Annotated[
    str | None,
    typer.Option("--observation-end", help="Last day observed, YYYY-MM-DD (default: last date)"),
]
ModelName = Annotated[
    str, typer.Option("--model", help="bgnbd (BG/NBD) or mbgnbd (MBG/NBD) / 购买次数模型")
]

RulesFile = Annotated[
    Path | None,
    typer.Option(
        "--rules", help="Retention rule table CSV (see `manyi predict rules`) / 挽留规则表",
        exists=True, dir_okay=False,
    ),
]  # fmt: skip

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER_LIKE = re.compile(r"^[+-]?\d[\d\s().-]*$")
_console = Console()


def _fail(message: str) -> typer.Exit:
    """Print a clear error to stderr and return the exit (code 2) to raise."""
    Console(stderr=True).print(f"[red]error:[/red] {escape(message)}", highlight=False)
    return typer.Exit(code=2)


def _read_text_table(path: Path) -> pd.DataFrame:
    """Read CSV/TSV or whitespace-separated text, trying UTF-8 then GB18030."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with path.open(encoding=encoding) as handle:
                first = handle.readline()
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(f"{path.name}: not a UTF-8 or GB18030 text file")
    if not first.strip():
        raise ValueError(f"{path.name}: the file is empty")
    if "," in first or path.suffix.lower() == ".csv":
        return pd.read_csv(path, encoding=encoding, sep=None, engine="python")
    if "\t" in first or path.suffix.lower() == ".tsv":
        return pd.read_csv(path, encoding=encoding, sep="\t")
    tokens = first.split()
    headerless = all(re.fullmatch(r"[-+]?[\d.]+", t) for t in tokens)
    return pd.read_csv(
        path, encoding=encoding, sep=r"\s+", header=None if headerless else "infer", dtype=str
    )


def read_table(path: Path) -> pd.DataFrame:
    """Read a .csv (also gzipped), .tsv, .txt, .xlsx, .json or .jsonl file into a DataFrame."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(path)
        elif suffix == ".jsonl":
            frame = pd.read_json(path, lines=True)
        elif suffix == ".json":
            frame = pd.read_json(path)
        elif suffix in (".gz", ".bz2", ".zip", ".xz"):
            frame = pd.read_csv(path)  # compressed CSV, compression inferred from the name
        else:
            frame = _read_text_table(path)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise _fail(f"cannot read {path.name}: {exc}") from exc
    if frame.empty:
        raise _fail(f"{path.name} has no data rows / 文件没有数据")
    frame.columns = [str(c) for c in frame.columns]
    return frame


def load_summary(
    path: Path,
    customer: str | None,
    date: str | None,
    value: str | None,
    unit: str,
    observation_end: str | None,
) -> pd.DataFrame:
    """A per-customer summary from either a summary file or a transaction log."""
    frame = read_table(path)
    mapping = summary_columns(frame)
    if mapping is not None:
        summary = frame.rename(columns={v: k for k, v in mapping.items()})
        return summary
    try:
        cols = detect_log_columns(frame, customer, date, value)
        return summary_from_transactions(
            frame, cols.customer, cols.date, cols.value, observation_end=observation_end, unit=unit
        )
    except ValueError as exc:
        raise _fail(str(exc)) from exc


def _load_rules(path: Path | None) -> pd.DataFrame | None:
    """Read and check a user's rule table; None means the default rules."""
    if path is None:
        return None
    try:
        return validate_rules(pd.read_csv(path, dtype=str, keep_default_na=False))
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise _fail(f"rules file {path.name}: {exc}") from exc


def _purchase_model(name: str) -> BetaGeoModel:
    """Instantiate the purchase model named on the command line."""
    models = {"bgnbd": BetaGeoModel, "mbgnbd": ModifiedBetaGeoModel}
    if name.lower() not in models:
        raise _fail(f"--model must be one of {sorted(models)}, got {name!r}")
    return models[name.lower()]()


def _check_unit(unit: str) -> str:
    """Validate --unit."""
    if unit.upper() not in ("D", "W"):
        raise _fail(f"--unit must be D or W, got {unit!r}")
    return unit.upper()


def _safe_cell(value: object) -> object:
    """Neutralise spreadsheet formulas in exported text cells (numbers and phones stay)."""
    if isinstance(value, str) and _FORMULA_START.match(value) and not _NUMBER_LIKE.match(value):
        return "'" + value
    return value


def _write_csv(frame: pd.DataFrame, output: Path) -> None:
    """Write a table as UTF-8 CSV with formula-like text cells neutralised."""
    safe = frame.reset_index()
    for column in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[column].dtype):
            safe[column] = safe[column].astype(object).map(_safe_cell)
    safe.to_csv(output, index=False, encoding="utf-8")


def _print_json(payload: Any) -> None:
    """Print JSON to stdout (non-finite numbers become null)."""

    def clean(value: Any) -> Any:
        """Make a value JSON-safe."""
        if isinstance(value, dict):
            return {str(k): clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [clean(v) for v in value]
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not np.isfinite(value):
            return None
        return value

    typer.echo(json.dumps(clean(payload), ensure_ascii=False))


def _print_params(title: str, values: dict[str, float]) -> None:
    """Show a name/value table."""
    table = Table(title=title)
    table.add_column("parameter / 参数")
    table.add_column("value / 值", justify="right")
    for name, value in values.items():
        table.add_row(name, f"{value:,.4f}")
    _console.print(table)


@app.command("bgnbd")
def bgnbd_command(
    data_file: DataFile,
    model: ModelName = "bgnbd",
    customer: CustomerCol = None,
    date: DateCol = None,
    value: ValueCol = None,
    unit: Unit = "W",
    observation_end: ObservationEnd = None,
    as_json: AsJson = False,
) -> None:
    """Fit the BG/NBD purchase model: r, alpha, a, b / 拟合 BG/NBD 购买次数模型."""
    unit = _check_unit(unit)
    summary = load_summary(data_file, customer, date, value, unit, observation_end)
    try:
        fitted = _purchase_model(model).fit(summary)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    result = {**fitted.params_, "loglik": fitted.loglik_, "n": int(fitted.n_)}
    if as_json:
        _print_json(result)
    else:
        _print_params(f"{fitted.name} ({unit}) / 购买次数模型", result)


@app.command("clv")
def clv_command(
    data_file: DataFile,
    horizon_months: Annotated[
        int, typer.Option("--horizon-months", help="Months ahead / 预测月数")
    ] = 12,
    discount_rate: Annotated[
        float, typer.Option("--discount-rate", help="Monthly discount rate / 月贴现率")
    ] = 0.01,
    margin: Annotated[float, typer.Option("--margin", help="Profit margin 0..1 / 利润率")] = 1.0,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Per-customer CSV / 输出文件")
    ] = None,
    model: ModelName = "bgnbd",
    customer: CustomerCol = None,
    date: DateCol = None,
    value: ValueCol = None,
    unit: Unit = "W",
    observation_end: ObservationEnd = None,
    rules_file: RulesFile = None,
    as_json: AsJson = False,
) -> None:
    """Customer lifetime value, value tier, churn risk and action / 客户终身价值与挽留建议."""
    unit = _check_unit(unit)
    rules = _load_rules(rules_file)
    summary = load_summary(data_file, customer, date, value, unit, observation_end)
    if "monetary_value" not in summary.columns:
        raise _fail("CLV needs spend: a value column in the log or monetary_value in the summary")
    try:
        purchases = _purchase_model(model).fit(summary)
        spend_model = GammaGammaModel()
        spend_model.fit(*_repeat_spend(summary))
        clv = customer_lifetime_value(
            purchases, spend_model, summary, horizon_months=horizon_months,
            monthly_discount_rate=discount_rate, margin=margin, unit=unit,
        )  # fmt: skip
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    risk = churn_from_alive(purchases, summary, unit)
    scored = clv.join(risk)
    scored["value_at_risk"] = scored["clv"] * scored["churn_probability"]
    actions = recommend_actions(scored.join(_extra_columns(summary)), rules)
    scored = summary[["frequency", "recency", "T"]].join(scored).join(actions)
    if output is not None:
        _write_csv(scored.sort_values("value_at_risk", ascending=False), output)
    totals = {
        "n": len(scored),
        "horizon_months": horizon_months,
        "total_clv": float(scored["clv"].sum()),
        "mean_clv": float(scored["clv"].mean()),
        "purchase_model": purchases.params_,
        "spend_model": spend_model.summary(),
        "tiers": scored["tier"].value_counts().to_dict(),
        "actions": scored["action"].value_counts().to_dict(),
    }
    if as_json:
        _print_json(totals)
        return
    _print_params(
        "CLV / 客户终身价值",
        {k: v for k, v in totals.items() if k in ("n", "total_clv", "mean_clv")},
    )
    _print_params("Gamma-Gamma spend model / 消费金额模型", spend_model.summary())


def _extra_columns(summary: pd.DataFrame) -> pd.DataFrame:
    """Consent and complaint columns a summary file may carry for the retention rules."""
    return summary[[c for c in ("open_complaint", "marketing_consent") if c in summary.columns]]


def _repeat_spend(summary: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Frequency and monetary_value as float arrays."""
    x = pd.to_numeric(summary["frequency"], errors="coerce").to_numpy(dtype=float)
    m = pd.to_numeric(summary["monetary_value"], errors="coerce").to_numpy(dtype=float)
    return x, m


@app.command("calibration")
def calibration_command(
    data_file: DataFile,
    calibration_end: Annotated[
        str,
        typer.Option("--calibration-end", help="Last day of calibration, YYYY-MM-DD / 校准期末"),
    ],
    model: ModelName = "bgnbd",
    customer: CustomerCol = None,
    date: DateCol = None,
    unit: Unit = "W",
    observation_end: ObservationEnd = None,
    as_json: AsJson = False,
) -> None:
    """Holdout check: predicted vs actual purchases by calibration frequency / 模型留出期检验."""
    unit = _check_unit(unit)
    frame = read_table(data_file)
    try:
        cols = detect_log_columns(frame, customer, date, None)
        cal = calibration_and_holdout(
            frame, cols.customer, cols.date, calibration_end,
            observation_end=observation_end, unit=unit,
        )  # fmt: skip
        report = calibration_report(cal, _purchase_model(model))
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        _print_json(report.to_dict())
        return
    table = Table(title="Holdout purchases by calibration purchases / 留出期实际与预测购买次数")
    for column in ("calibration purchases / 校准期复购", "customers / 客户数", "actual / 实际",
                   "predicted / 预测"):  # fmt: skip
        table.add_column(column, justify="right")
    for label, row in report.table.iterrows():
        table.add_row(
            str(label), f"{int(row['n']):,}", f"{row['actual']:.3f}", f"{row['predicted']:.3f}"
        )
    _console.print(table)
    _console.print(
        f"total actual {report.actual_total:,.0f}, predicted {report.predicted_total:,.1f}, "
        f"aggregate error {report.aggregate_error:+.1%} (n = {report.n_customers:,}) / 总体误差"
    )


@app.command("churn")
def churn_command(
    data_file: DataFile,
    label: Annotated[
        str, typer.Option("--label", help="Churn label column (yes/no, 1/0) / 标签列")
    ],
    id_col: Annotated[
        str | None, typer.Option("--id", help="Customer id column / 客户编号列")
    ] = None,
    cv: Annotated[int, typer.Option("--cv", help="Cross-validation folds / 交叉验证折数")] = 5,
    value_col: Annotated[
        str | None, typer.Option("--value", help="Customer value column for value at risk / 价值列")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Scored risk list CSV / 风险名单")
    ] = None,
    rules_file: RulesFile = None,
    as_json: AsJson = False,
) -> None:
    """Train a churn model, report cross-validated AUC and lift / 训练流失模型并交叉验证."""
    rules = _load_rules(rules_file)
    frame = read_table(data_file)
    if id_col is not None and id_col not in frame.columns:
        raise _fail(f"id column {id_col!r} not found; columns are {list(frame.columns)}")
    try:
        scores = cross_validate_churn(frame, label, id_col, folds=cv)
        if output is not None:
            _write_risk_list(frame, label, id_col, value_col, output, rules)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    if as_json:
        _print_json(scores.to_dict())
        return
    _print_params(
        f"Churn model, {cv}-fold cross-validation / 流失模型交叉验证",
        {k: float(v) for k, v in scores.to_dict().items()},
    )


def _write_risk_list(
    frame: pd.DataFrame,
    label: str,
    id_col: str | None,
    value_col: str | None,
    output: Path,
    rules: pd.DataFrame | None,
) -> None:
    """Fit on all rows and write customers by value at risk with reasons and actions."""
    model = ChurnModel().fit(frame, label, id_col)
    indexed = frame.set_index(id_col) if id_col else frame
    probability = pd.Series(model.predict_proba(frame), index=indexed.index)
    reasons = model.reasons(frame)
    reasons.index = indexed.index
    if value_col is None:
        value = pd.Series(1.0, index=indexed.index)
    elif value_col in frame.columns:
        value = pd.to_numeric(indexed[value_col], errors="coerce").fillna(0.0)
    else:
        raise ValueError(f"value column {value_col!r} not found")
    ranked = risk_list(probability, value, reasons["reasons"])
    extra = [c for c in ("tier", "open_complaint", "marketing_consent") if c in indexed.columns]
    customers = ranked.join(indexed[extra]) if extra else ranked
    actions = recommend_actions(customers, rules)
    _write_csv(customers.join(actions), output)


@app.command("rules")
def rules_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the table as CSV to edit / 导出")
    ] = None,
) -> None:
    """Show the default retention rules (first match wins) / 默认挽留规则."""
    if output is not None:
        DEFAULT_RULES.to_csv(output, index=False, encoding="utf-8")
    table = Table(title="Retention rules, first match wins / 挽留规则（按顺序匹配）")
    for column in DEFAULT_RULES.columns:
        table.add_column(str(column))
    for row in DEFAULT_RULES.itertuples(index=False):
        table.add_row(*(escape(str(v)) for v in row))
    _console.print(table)


# --- database-backed scoring ------------------------------------------------------------------

_STEP_LABELS = {
    "read": "reading orders / 读取订单",
    "fit": "fitting BG/NBD + Gamma-Gamma / 拟合模型",
    "score": "scoring customers / 计算评分",
    "reasons": "feedback, consent and reasons / 反馈、同意与原因",
    "store": "storing scores / 保存评分",
    "actions": "retention actions / 挽留行动",
    "done": "done / 完成",
}


def _parse_day(value: str | None, option: str) -> dt.date | None:
    """Parse a YYYY-MM-DD option strictly (None stays None)."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(f"{option} {value!r} is not a date YYYY-MM-DD") from exc


def _run_scoring(
    as_of: dt.date | None, horizon_weeks: int, margin: float, rules: pd.DataFrame | None,
    quiet: bool,
) -> scoring_service.ScoringResult:  # fmt: skip
    """Open the database and score in one transaction, with a progress bar unless quiet."""
    database = open_database()
    try:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), disable=quiet, transient=True,
        ) as bar:  # fmt: skip
            task = bar.add_task(_STEP_LABELS["read"], total=len(scoring_service.STEPS))

            def report(step: str, done: int, total: int) -> None:
                """Move the bar to the step being worked on."""
                bar.update(task, completed=done, total=total, description=_STEP_LABELS[step])

            with unit_of_work(database.sessions) as session:
                return scoring_service.score_customers(
                    session=session, as_of=as_of, horizon_weeks=horizon_weeks, margin=margin,
                    rules=rules, progress=report,
                )  # fmt: skip
    except ManyiError as exc:
        raise _fail(exc.message) from exc
    finally:
        database.engine.dispose()


def _print_scoring(result: scoring_service.ScoringResult) -> None:
    """Rich summary: counts, model parameters, tiers, actions and the top 10 by value at risk."""
    _console.print(
        f"[bold]{result.customers_scored:,}[/bold] customers scored as of {result.as_of} "
        f"(horizon {result.horizon_weeks} weeks) in {result.seconds:.2f} s / 已评分客户; "
        f"{result.rows_written:,} score rows; model {escape(result.model_version)}"
    )
    _print_params("BG/NBD purchase model / 购买次数模型", result.purchase_model)
    _print_params("Gamma-Gamma spend model / 消费金额模型", result.spend_model)
    totals = Table(title="Tiers and actions / 价值分层与挽留行动")
    totals.add_column("item / 项目")
    totals.add_column("count / 数量", justify="right")
    for tier, n in result.tiers.items():
        totals.add_row(f"tier {tier}", f"{n:,}")
    for action, n in result.recommended.items():
        totals.add_row(f"action {escape(action)}", f"{n:,}")
    totals.add_row("actions created / 新建", f"{result.actions_created:,}")
    totals.add_row("actions refreshed / 更新", f"{result.actions_refreshed:,}")
    totals.add_row(
        "marketing actions withdrawn (no consent) / 撤回", f"{result.actions_withdrawn:,}"
    )
    _console.print(totals)
    top = Table(title="Top 10 by value at risk / 风险价值前 10")
    for column in (
        "customer / 客户",
        "tier / 层级",
        "churn / 流失概率",
        "CLV",
        "at risk / 风险价值",
    ):
        top.add_column(column, justify="left" if "/" in column[:9] else "right")
    for row in result.top:
        top.add_row(escape(row["customer_code"]), row["tier"], f"{row['churn_risk']:.1%}",
                    f"{row['clv']:,.2f}", f"{row['value_at_risk']:,.2f}")  # fmt: skip
    _console.print(top)
    total = f"total CLV {result.total_clv:,.2f}, value at risk {result.total_value_at_risk:,.2f}"
    _console.print(total + " / 总客户价值与风险价值")
    for note in result.warnings:
        _console.print(f"[yellow]warning:[/yellow] {escape(note)}")


@app.command("score")
def score_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Score as of this day, YYYY-MM-DD (default today)")
    ] = None,
    horizon_weeks: Annotated[
        int, typer.Option("--horizon-weeks", help="Weeks ahead for CLV and churn / 预测周数")
    ] = 52,
    margin: Annotated[float, typer.Option("--margin", help="Profit margin 0..1 / 利润率")] = 1.0,
    rules_file: RulesFile = None,
    as_json: AsJson = False,
) -> None:
    """Score every customer in the database and store scores and actions / 为数据库中的客户评分."""
    rules = _load_rules(rules_file)
    result = _run_scoring(_parse_day(as_of, "--as-of"), horizon_weeks, margin, rules, as_json)
    if as_json:
        _print_json(result.to_dict())
        return
    _print_scoring(result)


@app.command("risks")
def risks_command(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many customers / 人数")] = 20,
    tier: Annotated[
        str | None, typer.Option("--tier", help="Only this tier: vip, high, medium, low / 层级")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Scores of this day (default the latest)")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """The risk list from the database, by value at risk / 按风险价值排序的流失风险名单."""
    database = open_database()
    try:
        with unit_of_work(database.sessions) as session:
            page = scoring_service.risk_list(
                session=session, limit=limit, tier=tier,
                as_of=_parse_day(as_of, "--as-of"), lang="en",
            )  # fmt: skip
    except ManyiError as exc:
        raise _fail(exc.message) from exc
    finally:
        database.engine.dispose()
    items: list[dict[str, Any]] = [
        {"customer_code": r.customer_code, "tier": r.tier, "churn_risk": r.churn_risk,
         "clv": r.clv, "value_at_risk": r.value_at_risk, "p_alive": r.p_alive,
         "reasons": [x["text"] for x in r.reasons], "action": r.action,
         "action_status": r.action_status}
        for r in page.rows
    ]  # fmt: skip
    if as_json:
        as_of_text = page.as_of.isoformat() if page.as_of else None
        _print_json({"as_of": as_of_text, "total": page.total, "items": items})
        return
    if page.as_of is None:
        _console.print("No scores yet: run `manyi predict score` first / 还没有评分")
        return
    table = Table(title=f"Risk list as of {page.as_of} ({page.total:,} customers) / 流失风险名单")
    for column in ("customer / 客户", "tier / 层级", "churn / 流失", "CLV", "at risk / 风险价值",
                   "reasons / 原因", "action / 行动"):  # fmt: skip
        table.add_column(column)
    for item in items:
        table.add_row(
            escape(str(item["customer_code"])), str(item["tier"]), f"{item['churn_risk']:.1%}",
            f"{item['clv']:,.2f}", f"{item['value_at_risk']:,.2f}",
            escape("; ".join(item["reasons"])),
            escape(f"{item['action']} ({item['action_status'] or '-'})"),
        )  # fmt: skip
    _console.print(table)
