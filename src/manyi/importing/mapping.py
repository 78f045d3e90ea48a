"""Map a file's column headers to manyi's fields: automatic for common Chinese/English headers.

Headers are compared after :func:`normalise_header` (case, spaces, underscores, hyphens and dots
ignored), so ``Customer ID``, ``customer_id`` and ``CUSTOMERID`` are the same. A user mapping
(``{"customer_id": "Kunden-Nr"}`` from a TOML/JSON file or ``--map field=Header``) wins over the
automatic one.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

from manyi.errors import InputError

Kind = Literal["customers", "orders", "feedback"]
KINDS: tuple[Kind, ...] = ("customers", "orders", "feedback")

_CUSTOMER_ID = (
    "customer_id", "customerid", "customer", "customer_code", "customer_no", "customer_number",
    "cust_id", "custid", "client_id", "member_id", "member_no", "user_id", "userid", "account_id",
    "客户编号", "客户ID", "客户id", "客户号", "客户代码", "会员号", "会员编号", "会员ID", "会员卡号",
    "用户ID", "用户编号", "顾客编号",
)  # fmt: skip

#: Aliases per field; the first alias is the field name itself.
ALIASES: dict[str, tuple[str, ...]] = {
    "customer_id": _CUSTOMER_ID,
    "name": ("name", "full_name", "customer_name", "姓名", "客户姓名", "客户名称", "名字", "会员姓名"),
    "gender": ("gender", "sex", "性别"),
    "birthday": ("birthday", "birth_date", "date_of_birth", "dob", "birthdate", "生日", "出生日期", "出生年月日"),
    "city": ("city", "town", "城市", "所在城市", "市"),
    "region": ("region", "province", "state", "area", "地区", "省份", "省", "区域", "大区"),
    "country": ("country", "nation", "国家", "国家/地区"),
    "phone": ("phone", "mobile", "telephone", "tel", "cellphone", "phone_number", "mobile_phone", "手机", "手机号", "手机号码", "电话", "电话号码", "联系电话"),
    "email": ("email", "e_mail", "mail", "email_address", "邮箱", "电子邮箱", "电子邮件", "邮件"),
    "external_id": ("external_id", "openid", "unionid", "wechat_id", "外部ID", "微信号", "openid"),
    "occupation": ("occupation", "job", "职业"),
    "income_band": ("income_band", "income", "收入", "收入水平"),
    "preferred_channel": ("preferred_channel", "偏好渠道"),
    "preferred_language": ("preferred_language", "language_preference", "偏好语言"),
    "order_no": ("order_no", "order_id", "orderid", "order_number", "invoice_no", "invoiceno", "invoice", "invoice_id", "订单号", "订单编号", "单号", "发票号"),
    "ordered_at": ("ordered_at", "order_date", "order_time", "invoice_date", "invoicedate", "purchase_date", "下单时间", "订单日期", "下单日期", "订单时间", "购买时间", "购买日期"),
    "sku": ("sku", "stock_code", "stockcode", "product_id", "product_code", "item_id", "item_code", "商品编号", "商品编码", "商品ID", "货号", "产品编号"),
    "description": ("description", "product_name", "item_name", "product", "item", "商品名称", "商品", "产品名称", "品名"),
    "quantity": ("quantity", "qty", "units", "数量", "购买数量", "件数"),
    "unit_price": ("unit_price", "unitprice", "price", "单价", "价格", "售价"),
    "amount": ("amount", "total", "total_amount", "line_total", "sales", "revenue", "金额", "总金额", "订单金额", "实付金额", "销售额"),
    "channel": ("channel", "source", "sales_channel", "渠道", "来源", "来源渠道", "销售渠道"),
    "store": ("store", "shop", "branch", "outlet", "门店", "店铺", "店名", "分店"),
    "status": ("status", "order_status", "state_of_order", "状态", "订单状态"),
    "currency": ("currency", "币种", "货币"),
    "text": ("text", "comment", "comments", "review", "feedback", "content", "message", "verbatim", "review_text", "反馈内容", "评论", "评价", "内容", "意见", "留言", "评价内容", "反馈"),
    "rating": ("rating", "score", "stars", "star", "nps", "评分", "分数", "打分", "星级", "满意度"),
    "rating_scale": ("rating_scale", "scale", "评分标准", "量表"),
    "received_at": ("received_at", "date", "time", "created_at", "timestamp", "datetime", "submitted_at", "review_date", "时间", "日期", "提交时间", "评论时间", "反馈时间", "创建时间"),
    "source_ref": ("source_ref", "feedback_id", "review_id", "comment_id", "response_id", "id", "反馈编号", "评论ID", "评价ID", "编号"),
    "touchpoint": ("touchpoint", "touch_point", "接触点", "触点"),
    "language": ("language", "lang", "语言"),
}  # fmt: skip

_CONSENT = {
    "consent_marketing": ("consent_marketing", "marketing_consent", "营销同意", "接受营销"),
    "consent_surveys": ("consent_surveys", "consent_survey", "survey_consent", "调研同意", "接受调研"),
    "consent_service": ("consent_service", "service_consent", "服务通知同意"),
    "consent_analytics": ("consent_analytics", "analytics_consent", "分析同意"),
    "consent_sms": ("consent_sms", "sms_consent", "短信同意", "接受短信"),
    "consent_email": ("consent_email", "email_consent", "邮件同意", "接受邮件"),
}  # fmt: skip
ALIASES.update(_CONSENT)

#: Fields each kind reads, in order; `REQUIRED` must be mapped.
FIELDS: dict[Kind, tuple[str, ...]] = {
    "customers": (
        "customer_id", "name", "gender", "birthday", "city", "region", "country", "phone",
        "email", "external_id", "occupation", "income_band", "preferred_channel",
        "preferred_language", *_CONSENT,
    ),
    "orders": (
        "order_no", "ordered_at", "customer_id", "sku", "description", "quantity", "unit_price",
        "amount", "channel", "store", "region", "status", "currency", "country",
    ),
    "feedback": (
        "source_ref", "text", "rating", "rating_scale", "received_at", "channel", "customer_id",
        "order_no", "store", "region", "touchpoint", "language",
    ),
}  # fmt: skip
REQUIRED: dict[Kind, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "orders": ("order_no", "ordered_at"),
    "feedback": ("received_at",),
}

#: Headers that mean a different field in another kind (a "date" of an order is its order date).
_KIND_EQUIVALENT: dict[str, dict[str, str]] = {
    "orders": {"received_at": "ordered_at"},
    "feedback": {"ordered_at": "received_at"},
}

_SEPARATORS = re.compile(r"[\s_\-./()（）:：#＃]+")


def normalise_header(header: str) -> str:
    """Header key for comparison: NFKC-ish lower case without spaces, underscores, dots, dashes."""
    import unicodedata

    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", header).strip().lower())


_LOOKUP: dict[str, str] = {}
for _field, _names in ALIASES.items():
    for _alias in _names:
        _LOOKUP.setdefault(normalise_header(_alias), _field)


def field_for_header(header: str) -> str | None:
    """The manyi field a header names, or None when it is not recognised."""
    return _LOOKUP.get(normalise_header(header))


def detect_mapping(
    headers: Iterable[str], kind: Kind, overrides: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Map each field of `kind` to a header: user overrides first, then recognised headers.

    Returns ``{field: header}``. Raises InputError when an override names an unknown field or a
    header that is not in the file, or when a required field stays unmapped.
    """
    if kind not in FIELDS:
        raise InputError(f"unknown import kind {kind!r} (use {', '.join(KINDS)})")
    headers = list(headers)
    wanted = FIELDS[kind]
    mapping: dict[str, str] = {}
    for field, header in (overrides or {}).items():
        if field not in wanted:
            raise InputError(
                f"mapping: {field!r} is not a {kind} field (fields: {', '.join(wanted)})"
            )
        if header not in headers:
            raise InputError(f"mapping: column {header!r} for {field!r} is not in the file")
        mapping[field] = header
    taken = set(mapping.values())
    for header in headers:
        found = field_for_header(header)
        field = _KIND_EQUIVALENT.get(kind, {}).get(found or "", found or "")
        if field in wanted and field not in mapping and header not in taken:
            mapping[field] = header
            taken.add(header)
    missing = [f for f in REQUIRED[kind] if f not in mapping]
    if missing:
        raise InputError(
            f"required column(s) not found: {', '.join(missing)}; file has "
            f"{', '.join(headers)} (map them with --map field=Header)"
        )
    return mapping


def parse_map_flags(flags: Iterable[str]) -> dict[str, str]:
    """Turn ``field=Header`` strings (the CLI's --map) into a mapping."""
    out: dict[str, str] = {}
    for flag in flags:
        field, sep, header = flag.partition("=")
        if not sep or not field.strip() or not header.strip():
            raise InputError(f"--map {flag!r}: expected field=Header")
        out[field.strip()] = header.strip()
    return out


def load_mapping_file(path: Path) -> dict[str, str]:
    """Read ``{field: header}`` from a TOML or JSON file (a [mapping] table is also accepted)."""
    try:
        raw = path.read_bytes()
        if path.suffix.lower() == ".json":
            data = json.loads(raw.decode("utf-8-sig"))
        else:
            data = tomllib.loads(raw.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"mapping file {path.name}: cannot read ({exc})") from exc
    if isinstance(data, dict) and isinstance(data.get("mapping"), dict):
        data = data["mapping"]
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise InputError(f'mapping file {path.name}: expected field = "Header" pairs')
    return dict(data)
