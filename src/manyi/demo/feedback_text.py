"""Compose varied customer feedback texts from fragments, in Simplified/Traditional Chinese and English.

A text is built from the *opinions* it expresses, each an aspect with a polarity
(``("logistics", False)`` = a complaint about delivery). For each opinion one of several phrasings
is drawn, with intensifiers, product names and numbers filled in; opinions are joined with
connectors or a contrast (虽然…但是 / although ... but); an opener fitting the channel, a closing
remark, emoji and colloquial spellings are added at random. Traditional Chinese is produced by
OpenCC (s2t) from the Simplified composition; "mixed" texts switch some words into English.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache

import opencc

ASPECTS: tuple[str, ...] = (
    "product_quality", "price_value", "logistics", "packaging", "service_attitude",
    "app_website", "payment", "returns_refunds", "store_environment",
)  # fmt: skip

#: Bilingual aspect labels for people reading the demo documentation and results.
ASPECT_LABELS: dict[str, str] = {
    "product_quality": "产品质量 / product quality", "price_value": "价格 / price & value",
    "logistics": "物流 / delivery", "packaging": "包装 / packaging",
    "service_attitude": "服务态度 / service attitude", "app_website": "APP与网站 / app & website",
    "payment": "支付 / payment", "returns_refunds": "退换货 / returns & refunds",
    "store_environment": "门店环境 / store environment",
}  # fmt: skip

LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en", "mixed")


@dataclass(frozen=True)
class Opinion:
    """One thing a customer says: an aspect and whether it is praise (True) or a complaint."""

    aspect: str
    positive: bool


# --- Simplified Chinese fragments -------------------------------------------------------------
# Slots: {a} positive intensifier, {n} negative intensifier, {p} product, {d} a number of days.

_ZH: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "product_quality": (
        ("{p}质量{a}好", "{p}做工{a}精细", "东西和描述的一模一样", "用了一周了，{a}好用",
         "{p}手感{a}不错", "质量没得说", "{p}比想象中还要好", "材质{a}好，没有异味",
         "品质{a}稳定，一直在用", "{p}颜值高，质量也过硬"),
        ("{p}质量{n}差", "{p}用了两天就坏了", "做工粗糙，线头到处都是", "和图片完全不一样",
         "{p}有明显的瑕疵", "质量{n}一般，不值这个价", "{p}收到就是坏的", "材质很廉价，味道还大",
         "才用{d}天就出问题了", "{p}跟描述的不符"),
    ),
    "price_value": (
        ("价格{a}实惠", "性价比{a}高", "活动价{a}划算", "这个价格能买到这样的{p}很值",
         "赶上双十一，便宜了不少", "比实体店便宜多了", "优惠力度{a}大"),
        ("价格{n}贵", "性价比不高", "刚买完就降价了，{n}坑", "比别家贵了不少", "涨价{n}厉害了",
         "这个价格买{p}不值", "优惠券门槛{n}高", "价格越来越贵，有点买不起了",
         "同样的{p}别的平台便宜一百多"),
    ),
    "logistics": (
        ("物流{a}快，{d}天就到了", "发货{a}及时", "快递小哥{a}给力，还送货上门",
         "下单第二天就收到了", "配送速度{a}快", "物流信息更新很及时"),
        ("物流{n}慢，等了{d}天", "快递{d}天才到", "发货{n}慢了", "物流信息好几天都不更新",
         "说好的次日达结果等了{d}天", "配送员不送上门，让自己去取", "快递一直显示在路上，{n}急人",
         "等了{d}天还没收到，{n}失望"),
    ),
    "packaging": (
        ("包装{a}严实", "包装很用心，还有小卡片", "包装{a}精美，送人很有面子", "外包装完好无损",
         "里面还有气泡膜，很细心"),
        ("包装破损了", "箱子都压扁了", "外包装烂了，里面的{p}也有划痕", "包装{n}简陋",
         "收到的时候盒子是破的", "包装漏了，弄得到处都是", "没有任何防震措施，{p}都磕坏了",
         "纸箱湿了还破了个洞"),
    ),
    "service_attitude": (
        ("客服{a}耐心", "客服回复{a}及时", "客服小姐姐态度{a}好", "客服帮我很快解决了问题",
         "售前咨询很专业", "服务{a}周到"),
        ("客服态度{n}差", "客服爱答不理", "客服一直是机器人回复，{n}敷衍", "打了三次电话都没人接",
         "客服踢皮球，问题一直没解决", "客服说话很冲", "找客服等了半个小时才有人回"),
    ),
    "app_website": (
        ("APP{a}好用", "小程序下单{a}方便", "页面设计{a}清晰", "网站找东西很方便",
         "APP推荐的东西挺准的"),
        ("APP老是闪退", "页面加载{n}慢", "登录不上，一直转圈", "更新之后找不到订单了",
         "网站{n}卡了", "小程序经常报错", "APP广告{n}多了"),
    ),
    "payment": (
        ("付款{a}顺畅", "支持分期很方便", "支付流程{a}简单", "微信支付秒到"),
        ("支付失败了好几次", "优惠券用不了", "重复扣款了", "付款页面一直报错",
         "积分抵扣不了，{n}无语"),
    ),
    "returns_refunds": (
        ("退货{a}顺利", "退款{d}天就到账了", "售后处理{a}快", "七天无理由退货很省心",
         "换货很快就寄过来了"),
        ("退款拖了{d}天还没到", "退货流程{n}麻烦", "申请售后一直没人处理", "退货运费还要自己出",
         "换货换了{d}天还没换好", "退款被拒了，理由{n}离谱"),
    ),
    "store_environment": (
        ("门店环境{a}好", "店员{a}热情", "店里{a}干净", "门店陈列很整齐，逛着舒服",
         "导购很专业，推荐的很合适"),
        ("门店排队{n}久", "店员不理人", "店里又乱又挤", "门店空调都不开，{n}热",
         "店员一直推销，{n}烦"),
    ),
}  # fmt: skip

_ZH_NOUN = {
    "product_quality": "质量", "price_value": "价格", "logistics": "物流", "packaging": "包装",
    "service_attitude": "客服", "app_website": "APP", "payment": "支付", "returns_refunds": "售后",
    "store_environment": "门店",
}  # fmt: skip
_ZH_MILD_POS = ("{noun}还可以", "{noun}并不差", "{noun}总体还行", "{noun}方面没什么问题")
_ZH_MILD_NEG = ("对{noun}不太满意", "{noun}一般般", "{noun}有点让人失望", "{noun}不算好")
_ZH_A = ("非常", "特别", "超级", "挺", "很", "相当", "真心", "十分", "蛮")
_ZH_N = ("太", "非常", "特别", "实在", "真的", "有点", "超级", "太过")
_ZH_OPEN = {
    "any": ("", "", "", "收到了，", "第二次买了，", "说实话，", "总的来说，", "今天收到货，",
            "买给家人的，", "用了一段时间，", "老顾客了，", "这次购物体验：", "评价晚了，"),
    "email": ("您好，", "你好，我想反映一下：", "贵公司你们好，", "尊敬的客服：", "您好！关于我的订单，"),
    "call_centre": ("客户来电反映：", "客户表示", "来电客户称", "客户致电，"),
    "chat": ("在吗？", "你好，", "亲，", "客服你好，"),
    "social": ("@官方旗舰店 ", "#购物体验# ", "吐槽一下，", "真心分享：", ""),
}  # fmt: skip
_ZH_CLOSE_POS = ("下次还会再来", "推荐给朋友了", "五星好评！", "会回购的", "满意", "整体很满意",
                 "给个好评", "支持一下", "")  # fmt: skip
_ZH_CLOSE_NEG = ("希望改进", "太失望了", "不会再买了", "已经给差评了", "希望给个说法",
                 "请尽快处理", "以后不敢买了", "")  # fmt: skip
_ZH_JOIN = ("，", "，", "；", "。", "，而且", "，另外", "。还有就是", "，")
_ZH_EMOJI_POS = ("👍", "😊", "❤️", "🎉", "💯", "😄")
_ZH_EMOJI_NEG = ("😡", "😤", "👎", "😞", "🙄", "💢")
_ZH_SLANG = (("非常", "灰常"), ("什么", "啥"), ("这样", "酱紫"), ("的", "滴"), ("已经", "以经"),
             ("再", "在"), ("不错", "不戳"))  # fmt: skip
_ZH_INQUIRY = ("请问{p}什么时候发货？", "我的订单怎么还没到？", "怎么修改收货地址？", "发票怎么开？",
               "{p}有没有现货？", "会员积分怎么用？", "请问{p}支持七天无理由吗？",
               "下单后还能改规格吗？")  # fmt: skip
_ZH_SUGGEST = ("建议APP增加夜间模式", "希望能增加更多支付方式", "建议包装再结实一点",
               "希望{p}能出更多颜色", "建议物流能提供预约送货", "希望会员日优惠再多一些",
               "建议门店延长营业时间")  # fmt: skip

# --- English fragments --------------------------------------------------------------------------

_EN: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "product_quality": (
        ("the {p} is {a} well made", "quality is {a} good", "exactly as described",
         "been using the {p} for a week and it works {a} well", "great build quality",
         "the {p} feels solid"),
        ("the {p} broke after two days", "quality is {n} poor", "the {p} arrived faulty",
         "looks nothing like the photos", "cheap material and it smells", "stopped working after {d} days"),
    ),
    "price_value": (
        ("{a} good value for money", "great price", "the sale price was a bargain",
         "cheaper than in the shops"),
        ("{n} overpriced", "the price dropped right after I bought it", "not worth the money",
         "prices keep going up", "more expensive than other sites", "the price is {n} high for what you get"),
    ),
    "logistics": (
        ("delivery was {a} fast, arrived in {d} days", "shipped the same day", "arrived next day",
         "the courier was {a} helpful"),
        ("delivery took {d} days", "shipping was {n} slow", "tracking didn't update for days",
         "still waiting after {d} days", "the courier left it at the gate without asking"),
    ),
    "packaging": (
        ("packaging was {a} secure", "nicely packed, perfect as a gift", "arrived in perfect condition"),
        ("the box arrived crushed", "packaging was damaged", "the {p} was scratched because the box was torn",
         "flimsy packaging, no padding at all", "the parcel was wet and torn"),
    ),
    "service_attitude": (
        ("customer service was {a} helpful", "the agent solved my problem quickly",
         "staff were {a} friendly", "quick and polite replies"),
        ("customer service was {n} rude", "nobody answered my calls", "only got canned bot replies",
         "they kept passing me around", "waited half an hour for a reply"),
    ),
    "app_website": (
        ("the app is {a} easy to use", "ordering on the website is simple", "love the new app design"),
        ("the app keeps crashing", "the website is {n} slow", "can't log in", "my orders disappeared after the update",
         "too many ads in the app"),
    ),
    "payment": (
        ("checkout was smooth", "paying was {a} easy", "instalments are handy"),
        ("payment failed several times", "my coupon didn't work", "I was charged twice", "checkout keeps erroring"),
    ),
    "returns_refunds": (
        ("the return was {a} easy", "refund arrived in {d} days", "exchange was quick"),
        ("still no refund after {d} days", "the return process is {n} complicated",
         "nobody handles my after-sales request", "I had to pay return shipping myself"),
    ),
    "store_environment": (
        ("the store is {a} clean", "staff in the shop were {a} friendly", "nice store layout"),
        ("the queue in the store was {n} long", "shop staff ignored me", "the store was messy and crowded"),
    ),
}  # fmt: skip
_EN_A = ("very", "really", "super", "pretty", "quite", "extremely", "so")
_EN_N = ("very", "really", "way too", "extremely", "so", "pretty", "incredibly")
_EN_MILD_POS = (
    "the {noun} was okay",
    "the {noun} wasn't bad at all",
    "no complaints about the {noun}",
)
_EN_MILD_NEG = (
    "not too happy with the {noun}",
    "the {noun} was so-so",
    "the {noun} was disappointing",
)
_EN_NOUN = {
    "product_quality": "quality", "price_value": "price", "logistics": "delivery",
    "packaging": "packaging", "service_attitude": "customer service", "app_website": "app",
    "payment": "payment", "returns_refunds": "after-sales service", "store_environment": "store",
}  # fmt: skip
_EN_OPEN = {
    "any": ("", "", "", "Got it today. ", "Second order here. ", "Honestly, ", "Overall, ",
            "Bought this as a gift. ", "Long-time customer. ", "Quick review: "),
    "email": ("Hello, ", "Dear team, ", "Hi there, I'd like to report that ", "To whom it may concern: "),
    "call_centre": ("Customer called: ", "Caller reports ", "Customer says "),
    "chat": ("hi, ", "hello? ", "Hi! "),
    "social": ("@official ", "#shopping ", "PSA: ", ""),
}  # fmt: skip
_EN_CLOSE_POS = (
    "Will buy again!",
    "Highly recommend.",
    "Five stars.",
    "Happy customer.",
    "Thanks!",
    "",
)
_EN_CLOSE_NEG = ("Please fix this.", "Very disappointed.", "Never again.", "I want a solution.",
                 "Not impressed.", "")  # fmt: skip
_EN_EMOJI_POS = ("👍", "😊", "🙌", "💯")
_EN_EMOJI_NEG = ("😡", "👎", "😞", "🙄")
_EN_INQUIRY = ("When will my {p} ship?", "Where is my order?", "How do I change my delivery address?",
               "Can I get an invoice?", "Is the {p} in stock?", "How do I use my points?")  # fmt: skip
_EN_SUGGEST = ("Please add a dark mode to the app.", "Would love more payment options.",
               "Please use sturdier boxes.", "Please offer the {p} in more colours.",
               "Let us book a delivery slot.")  # fmt: skip
_MIXED_SWAPS = (("物流", "delivery "), ("客服", "customer service "), ("质量", "quality "),
                ("包装", "packaging "), ("价格", "price "), ("性价比", "CP值"), ("非常", "very "),
                ("不错", "nice"), ("满意", "satisfied"))  # fmt: skip
_MIXED_TAIL_POS = (" overall OK", " 总之 nice", " 就是 good", " love it", " 推荐 recommend")
_MIXED_TAIL_NEG = (
    " so disappointed",
    " 真的 bad",
    " 真的 not OK",
    " what a mess",
    " 无语 speechless",
)


@lru_cache(maxsize=1)
def to_traditional() -> opencc.OpenCC:
    """The OpenCC Simplified-to-Traditional converter, built once."""
    return opencc.OpenCC("s2t")


def compose(
    r: random.Random,
    *,
    opinions: list[Opinion],
    language: str,
    channel: str,
    product: str,
    product_en: str,
    days: int,
    kind: str = "opinion",
) -> str:
    """One feedback text expressing `opinions` (or an inquiry/suggestion when `kind` says so)."""
    if language == "en":
        return _compose_en(r, opinions, channel, product_en, days, kind)
    text = _compose_zh(r, opinions, channel, product, days, kind)
    if language == "zh-Hant":
        return str(to_traditional().convert(text))
    if language == "mixed":
        return _mix(r, text, opinions)
    return text


def _fill(
    r: random.Random, template: str, a: tuple[str, ...], n: tuple[str, ...], p: str, d: int
) -> str:
    """Fill the intensifier, product and day slots of one fragment."""
    return template.format(a=r.choice(a), n=r.choice(n), p=p, d=d)


def _statement_zh(r: random.Random, op: Opinion, product: str, days: int) -> str:
    """One Chinese phrase for one opinion: a full phrasing, or a mild negation form."""
    if r.random() < 0.15:
        forms = _ZH_MILD_POS if op.positive else _ZH_MILD_NEG
        return r.choice(forms).format(noun=_ZH_NOUN[op.aspect])
    pos, neg = _ZH[op.aspect]
    product = product if r.random() < 0.6 else r.choice(("这个", "宝贝", "东西", "这款", product))
    return _fill(r, r.choice(pos if op.positive else neg), _ZH_A, _ZH_N, product, days)


def _join_zh(r: random.Random, opinions: list[Opinion], parts: list[str]) -> str:
    """Join statements; a praise and a complaint side by side may become a 虽然…但是 contrast."""
    if len(parts) == 2 and opinions[0].positive != opinions[1].positive and r.random() < 0.6:
        good, bad = (parts[0], parts[1]) if opinions[0].positive else (parts[1], parts[0])
        pattern = r.choice(("虽然{g}，但是{b}", "{g}，不过{b}", "{b}，好在{g}", "{g}，可惜{b}",
                            "虽然{b}，但{g}"))  # fmt: skip
        return pattern.format(g=good, b=bad)
    out = parts[0]
    for part in parts[1:]:
        out += r.choice(_ZH_JOIN) + part
    return out


def _compose_zh(
    r: random.Random, opinions: list[Opinion], channel: str, product: str, days: int, kind: str
) -> str:
    """A Simplified Chinese text: opener, statements, closing, emoji, colloquialisms."""
    opener = r.choice(_ZH_OPEN.get(channel, _ZH_OPEN["any"]) + _ZH_OPEN["any"][:4])
    if kind == "inquiry":
        return opener + r.choice(_ZH_INQUIRY).format(p=product)
    if kind == "suggestion":
        body = r.choice(_ZH_SUGGEST).format(p=product)
        return opener + body + r.choice(("。", "，谢谢！", "！", "~", "，辛苦了"))
    body = _join_zh(r, opinions, [_statement_zh(r, op, product, days) for op in opinions])
    positive = sum(op.positive for op in opinions) * 2 >= len(opinions)
    closing = r.choice(_ZH_CLOSE_POS if positive else _ZH_CLOSE_NEG)
    text = (
        opener
        + body
        + (r.choice(("。", "！", "，")) + closing if closing else r.choice(("。", "！", "", "~")))
    )
    if r.random() < 0.18:
        text += r.choice(_ZH_EMOJI_POS if positive else _ZH_EMOJI_NEG) * r.choice((1, 1, 2, 3))
    if r.random() < 0.12:
        old, new = r.choice(_ZH_SLANG)
        text = text.replace(old, new, 1)
    if r.random() < 0.08:
        text += r.choice(("哈哈", "hhh", "！！", "。。。", "啊啊啊", "emmm"))
    return text


def _compose_en(
    r: random.Random, opinions: list[Opinion], channel: str, product: str, days: int, kind: str
) -> str:
    """An English text with the same structure as the Chinese one."""
    opener = r.choice(_EN_OPEN.get(channel, _EN_OPEN["any"]) + _EN_OPEN["any"][:4])
    if kind == "inquiry":
        return opener + r.choice(_EN_INQUIRY).format(p=product)
    if kind == "suggestion":
        return opener + r.choice(_EN_SUGGEST).format(p=product)
    parts = []
    for op in opinions:
        if r.random() < 0.15:
            forms = _EN_MILD_POS if op.positive else _EN_MILD_NEG
            parts.append(r.choice(forms).format(noun=_EN_NOUN[op.aspect]))
        else:
            pos, neg = _EN[op.aspect]
            parts.append(
                _fill(r, r.choice(pos if op.positive else neg), _EN_A, _EN_N, product, days)
            )
    if len(parts) == 2 and opinions[0].positive != opinions[1].positive and r.random() < 0.6:
        good, bad = (parts[0], parts[1]) if opinions[0].positive else (parts[1], parts[0])
        body = r.choice(("although {g}, {b}", "{g}, but {b}", "{b}; at least {g}")).format(
            g=good, b=bad
        )
    else:
        body = parts[0]
        for part in parts[1:]:
            body += r.choice((", ", "; ", ". ", " and ", ", also ", " - ")) + part
    body = body[0].upper() + body[1:] if opener == "" or opener.endswith(". ") else body
    positive = sum(op.positive for op in opinions) * 2 >= len(opinions)
    closing = r.choice(_EN_CLOSE_POS if positive else _EN_CLOSE_NEG)
    end = r.choice((".", "!", "...")) if closing else r.choice((".", "!", "", "..."))
    text = opener + body + end + (" " + closing if closing else "")
    if r.random() < 0.15:
        text += " " + r.choice(_EN_EMOJI_POS if positive else _EN_EMOJI_NEG)
    if r.random() < 0.06:
        text = text.lower()
    return text


def _mix(r: random.Random, text: str, opinions: list[Opinion]) -> str:
    """Code-switch a Chinese text: swap a word or two into English and add an English tail."""
    for old, new in r.sample(_MIXED_SWAPS, k=3):
        text = text.replace(old, new, 1)
    if not opinions:
        return text + r.choice((" thanks!", " pls", " asap", " thx"))
    positive = sum(op.positive for op in opinions) * 2 >= len(opinions)
    return text + r.choice(_MIXED_TAIL_POS if positive else _MIXED_TAIL_NEG)
