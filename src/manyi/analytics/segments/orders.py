"""Order lines: read them from files with common headers and clean them for customer analytics.

The canonical order-line frame has one row per order line and the columns

``customer_id`` (str), ``order_id`` (str), ``ordered_at`` (datetime64), ``amount`` (float,
quantity * unit price; negative for a reversal) and, when the source has them, ``quantity``,
``unit_price``, ``status``, ``category``, ``channel``, ``product_id``, ``description``, ``country``.

Cleaning rules (:func:`clean_orders`), each counted in the returned account:

- lines without a customer, without a parseable date or without an amount are dropped;
- lines dated after the as-of date are dropped (the future is not yet history);
- lines with a zero or negative unit price (or a zero amount) are dropped: they are
  adjustments, samples or write-offs, not sales;
- lines with ``status`` ``cancelled`` or ``returned`` and a positive amount are dropped: the
  order did not (or no longer does) bring in money;
- reversal lines (an order id starting with ``C`` as in Online Retail, a negative quantity or a
  negative amount) are kept with a negative amount so that they net out of monetary value, and
  are flagged ``is_purchase = False`` so that a cancellation invoice never counts as a purchase.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

CANONICAL_COLUMNS = ("customer_id", "order_id", "ordered_at", "amount")
OPTIONAL_COLUMNS = (
    "quantity",
    "unit_price",
    "status",
    "category",
    "channel",
    "product_id",
    "description",
    "country",
)
STATUSES = ("completed", "cancelled", "returned")

_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customerid",
        "customer",
        "custid",
        "clientid",
        "memberid",
        "userid",
        "客户编号",
        "客户id",
        "客户号",
        "会员编号",
        "会员id",
        "用户id",
        "用户编号",
        "顾客编号",
        "顾客id",
    ),
    "order_id": (
        "orderid",
        "invoiceno",
        "invoice",
        "invoiceid",
        "orderno",
        "ordernumber",
        "订单号",
        "订单编号",
        "订单id",
        "单号",
        "发票号",
    ),
    "ordered_at": (
        "orderedat",
        "invoicedate",
        "orderdate",
        "orderdatetime",
        "ordertime",
        "purchasedate",
        "date",
        "datetime",
        "下单时间",
        "下单日期",
        "订单时间",
        "订单日期",
        "购买时间",
        "购买日期",
        "日期",
        "时间",
    ),
    "quantity": ("quantity", "qty", "数量", "购买数量", "件数"),
    "unit_price": ("unitprice", "price", "单价", "价格", "商品单价"),
    "amount": (
        "amount",
        "lineamount",
        "total",
        "linetotal",
        "revenue",
        "sales",
        "金额",
        "订单金额",
        "实付金额",
        "消费金额",
        "总价",
        "小计",
    ),
    "status": ("status", "orderstatus", "订单状态", "状态"),
    "category": ("category", "productcategory", "品类", "类目", "商品类别", "商品类目", "类别"),
    "channel": ("channel", "saleschannel", "渠道", "购买渠道", "销售渠道"),
    "product_id": ("productid", "stockcode", "sku", "itemid", "商品编号", "商品id", "货号"),
    "description": ("description", "productname", "itemname", "商品名称", "商品描述", "品名"),
    "country": ("country", "国家", "国家地区"),
}

_STATUS_ALIASES = {
    "completed": "completed",
    "complete": "completed",
    "done": "completed",
    "paid": "completed",
    "delivered": "completed",
    "已完成": "completed",
    "完成": "completed",
    "已付款": "completed",
    "已签收": "completed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "cancel": "cancelled",
    "已取消": "cancelled",
    "取消": "cancelled",
    "returned": "returned",
    "return": "returned",
    "refunded": "returned",
    "已退货": "returned",
    "退货": "returned",
    "已退款": "returned",
    "退款": "returned",
}


def _normalise_header(name: object) -> str:
    """Lower-case a header and drop spaces, underscores, hyphens and dots so aliases match."""
    return re.sub(r"[\s_\-./（）()]+", "", str(name).strip().lstrip("\ufeff")).lower()


def map_order_headers(columns: list[str]) -> dict[str, str]:
    """Map source headers to canonical names (first matching source column wins per target)."""
    lookup = {alias: target for target, aliases in _HEADER_ALIASES.items() for alias in aliases}
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        target = lookup.get(_normalise_header(column))
        if target is not None and target not in taken:
            mapping[column] = target
            taken.add(target)
    return mapping


def _read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (optionally gzip), XLSX or JSON-lines file into strings/numbers as found."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] in (".xlsx", ".xlsm", ".xls"):
        return pd.read_excel(path)
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    kind = suffixes[-2] if compressed and len(suffixes) > 1 else (suffixes[-1] if suffixes else "")
    if kind in (".jsonl", ".ndjson", ".json"):
        opener = gzip.open if compressed else open
        with opener(path, "rt", encoding="utf-8-sig") as handle:
            records = [json.loads(line) for line in handle if line.strip()]
        return pd.DataFrame.from_records(records)
    return _read_csv(path, compressed)


def _read_csv(path: Path, compressed: bool) -> pd.DataFrame:
    """Read a CSV trying UTF-8 then GB18030, sniffing `,`, `;` or tab separators."""
    with gzip.open(path, "rb") if compressed else path.open("rb") as handle:
        raw = handle.read(65536)
    encoding = "utf-8-sig"
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        if exc.start < len(raw) - 4:
            encoding = "gb18030"
    first_line = raw.split(b"\n", 1)[0].decode(encoding, errors="replace")
    sep = max((",", ";", "\t"), key=first_line.count)
    headers = [h.strip().strip('"') for h in first_line.strip("\r").split(sep)]
    id_columns = {
        h: "string"
        for h, target in map_order_headers(headers).items()
        if target in ("customer_id", "order_id", "product_id")
    }
    return pd.read_csv(
        path,
        sep=sep,
        encoding=encoding,
        compression="gzip" if compressed else None,
        dtype=id_columns or None,
        low_memory=False,
    )


def read_table(path: str | Path, id_columns: tuple[str, ...] = ("customer_id",)) -> pd.DataFrame:
    """Read any .csv/.csv.gz/.xlsx/.jsonl table (e.g. customers, feedback), ids as strings."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"file {path} does not exist")
    frame = _read_table(path)
    for column in id_columns:
        if column in frame.columns:
            frame[column] = _id_strings(frame[column])
    return frame


def _id_strings(values: pd.Series) -> pd.Series:
    """Render an id column as strings, turning float ids such as 17850.0 into '17850'."""
    if pd.api.types.is_float_dtype(values):
        finite = values.dropna()
        if (finite == np.floor(finite)).all():
            return values.astype("Int64").astype("string")
    out = values.astype("string").str.strip()
    # Spreadsheets often turn integer ids into floats: '17850.0' is customer 17850.
    out = out.str.replace(r"^(\d+)\.0+$", r"\1", regex=True)
    return out.mask(out == "", pd.NA)


def canonicalise_order_lines(frame: pd.DataFrame) -> pd.DataFrame:
    """Rename known headers to canonical names and type the columns; derive amount if absent."""
    mapping = map_order_headers([str(c) for c in frame.columns])
    out = frame.rename(columns=mapping)
    keep = [c for c in (*CANONICAL_COLUMNS, *OPTIONAL_COLUMNS) if c in out.columns]
    out = out[keep].copy()
    if "amount" not in out.columns:
        if "quantity" in out.columns and "unit_price" in out.columns:
            out["amount"] = pd.to_numeric(out["quantity"], errors="coerce") * pd.to_numeric(
                out["unit_price"], errors="coerce"
            )
        else:
            raise ValueError(
                "column 'amount' is missing and cannot be derived: "
                "need an amount column or both quantity and unit_price"
            )
    missing = [c for c in CANONICAL_COLUMNS if c not in out.columns]
    if missing:
        raise ValueError(
            f"order lines lack required column(s) {missing}; found {list(frame.columns)}"
        )
    out["customer_id"] = _id_strings(out["customer_id"])
    out["order_id"] = _id_strings(out["order_id"])
    out["ordered_at"] = _to_datetime(out["ordered_at"])
    for column in ("amount", "quantity", "unit_price"):
        if column in out.columns:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    if "status" in out.columns:
        status = out["status"].astype("string").str.strip().str.lower()
        out["status"] = status.map(lambda s: _STATUS_ALIASES.get(s, s) if isinstance(s, str) else s)
    return out[[c for c in (*CANONICAL_COLUMNS, *OPTIONAL_COLUMNS) if c in out.columns]]


def _to_datetime(values: pd.Series) -> pd.Series:
    """Parse dates: ISO fast path first, then mixed formats; unparseable values become NaT."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values
    parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
    if parsed.isna().sum() > values.isna().sum():
        parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    return parsed


def read_order_lines(path: str | Path) -> pd.DataFrame:
    """Read an order-line file (.csv, .csv.gz, .xlsx, .jsonl) into the canonical frame.

    Headers are recognised without flags: the Online Retail headers (``InvoiceNo``,
    ``StockCode``, ``Description``, ``Quantity``, ``InvoiceDate``, ``UnitPrice``, ``CustomerID``,
    ``Country``), snake-case English names (``customer_id``, ``order_id``, ``ordered_at``, ...)
    and Chinese headers (客户编号, 订单号, 下单时间, 数量, 单价, 金额, ...).

    Parameters
    ----------
    path : str or Path
        The file to read.

    Returns
    -------
    pandas.DataFrame
        Canonical order lines (see the module docstring); not yet cleaned.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"order file {path} does not exist")
    frame = _read_table(path)
    if frame.empty and len(frame.columns) == 0:
        raise ValueError(f"order file {path} is empty")
    return canonicalise_order_lines(frame)


@dataclass(frozen=True)
class CleanedOrders:
    """Cleaned order lines plus an account of what was removed and why.

    Attributes
    ----------
    lines : pandas.DataFrame
        Canonical lines kept, with a boolean ``is_purchase`` column (False for reversals).
    removed : pandas.DataFrame
        One row per reason: ``reason``, ``reason_zh``, ``lines``, ``amount``.
    as_of : pandas.Timestamp or None
        The as-of date used to drop future lines.
    customers_without_purchase : int
        Customers whose kept lines are all reversals (they get no RFM row).
    """

    lines: pd.DataFrame
    removed: pd.DataFrame
    as_of: pd.Timestamp | None = None
    customers_without_purchase: int = 0
    notes: dict[str, Any] = field(default_factory=dict)


_REASONS_ZH = {
    "no customer": "缺少客户编号",
    "no date": "缺少或无法解析日期",
    "no amount": "缺少金额",
    "after as-of date": "晚于截止日期",
    "zero or negative price": "单价为零或负数",
    "cancelled or returned status": "状态为已取消或已退货",
}


def _as_timestamp(as_of: object) -> pd.Timestamp:
    """Turn an as-of date into a midnight Timestamp, refusing anything unparseable."""
    try:
        stamp = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)") from exc
    if pd.isna(stamp):
        raise ValueError(f"as_of {as_of!r} is not a date (use YYYY-MM-DD)")
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return stamp.normalize()


def clean_orders(lines: pd.DataFrame, as_of: object | None = None) -> CleanedOrders:
    """Clean canonical order lines for RFM and segmentation (rules in the module docstring).

    Parameters
    ----------
    lines : pandas.DataFrame
        Canonical order lines, e.g. from :func:`read_order_lines` (other headers are mapped).
    as_of : date-like, optional
        Lines dated after this day are dropped; lines on the day itself are kept.

    Returns
    -------
    CleanedOrders
    """
    if not set(CANONICAL_COLUMNS) <= set(lines.columns):
        lines = canonicalise_order_lines(lines)
    frame = lines
    stamp = _as_timestamp(as_of) if as_of is not None else None
    drop_masks: list[tuple[str, np.ndarray]] = []
    alive = np.ones(len(frame), dtype=bool)
    amount = frame["amount"].to_numpy(dtype="float64", na_value=np.nan)

    def take(reason: str, mask: np.ndarray) -> None:
        """Record lines newly removed for `reason` and drop them from the kept set."""
        new = mask & alive
        drop_masks.append((reason, new))
        alive[new] = False

    take("no customer", frame["customer_id"].isna().to_numpy())
    take("no date", frame["ordered_at"].isna().to_numpy())
    take("no amount", ~np.isfinite(amount))
    if stamp is not None:
        day_after = stamp + pd.Timedelta(days=1)
        take("after as-of date", (frame["ordered_at"] >= day_after).to_numpy(na_value=False))
    bad_price = amount == 0
    if "unit_price" in frame.columns:
        price = frame["unit_price"].to_numpy(dtype="float64", na_value=np.nan)
        bad_price |= price <= 0
    take("zero or negative price", bad_price)
    reversal = amount < 0
    if not pd.api.types.is_numeric_dtype(frame["order_id"]):
        order_text = frame["order_id"].astype("string")
        reversal |= order_text.str.startswith(("C", "c")).to_numpy(na_value=False)
    if "quantity" in frame.columns:
        reversal |= frame["quantity"].to_numpy(dtype="float64", na_value=np.nan) < 0
    if "status" in frame.columns:
        status = frame["status"].astype("string")
        void = status.isin(["cancelled", "returned"]).to_numpy(na_value=False)
        take("cancelled or returned status", void & ~reversal)
    kept = frame.loc[alive].copy()
    rev = reversal[alive]
    kept_amount = amount[alive]
    # A reversal always subtracts, whatever sign the source wrote its amount with.
    kept["amount"] = np.where(rev, -np.abs(kept_amount), kept_amount)
    kept["is_purchase"] = ~rev
    kept = kept.reset_index(drop=True)
    removed = pd.DataFrame(
        {
            "reason": [r for r, _ in drop_masks],
            "reason_zh": [_REASONS_ZH[r] for r, _ in drop_masks],
            "lines": [int(m.sum()) for _, m in drop_masks],
            "amount": [float(np.nansum(amount[m])) for _, m in drop_masks],
        }
    )
    buyers = kept.loc[kept["is_purchase"], "customer_id"].unique()
    without = int(kept["customer_id"].nunique() - len(buyers))
    notes = {
        "input_lines": len(frame),
        "kept_lines": len(kept),
        "reversal_lines": int(rev.sum()),
        "reversal_amount": float(kept_amount[rev].sum()) if rev.any() else 0.0,
    }
    return CleanedOrders(
        lines=kept,
        removed=removed,
        as_of=stamp,
        customers_without_purchase=without,
        notes=notes,
    )
