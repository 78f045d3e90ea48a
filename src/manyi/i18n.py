"""A small message catalogue for the staff pages: `t(key, lang)` in Simplified Chinese or English."""

from __future__ import annotations

LANGUAGES = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (中文, English)
    "app.name": ("满意 manyi", "manyi 满意"),
    "app.tagline": ("客户体验管理", "Customer-experience management"),
    "nav.home": ("首页", "Home"),
    "nav.feedback": ("反馈", "Feedback"),
    "nav.import": ("导入", "Import"),
    "nav.users": ("用户", "Users"),
    "nav.api_docs": ("API 文档", "API docs"),
    "nav.logout": ("退出", "Log out"),
    "nav.language": ("语言", "Language"),
    "login.title": ("登录", "Log in"),
    "login.username": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Log in"),
    "login.failed": ("用户名或密码错误", "Invalid user name or password"),
    "login.rate_limited": (
        "登录失败次数过多，请稍后再试",
        "Too many failed logins; try again later",
    ),
    "home.title": ("概览", "Overview"),
    "home.customers": ("客户", "Customers"),
    "home.orders": ("订单", "Orders"),
    "home.feedback": ("反馈", "Feedback"),
    "home.chart_title": ("按月份和渠道的反馈数量", "Feedback by month and channel"),
    "home.empty": (
        "还没有数据。请先导入客户、订单或反馈。",
        "No data yet. Import customers, orders or feedback first.",
    ),
    "feedback.title": ("最新反馈", "Latest feedback"),
    "feedback.channel": ("渠道", "Channel"),
    "feedback.all_channels": ("全部渠道", "All channels"),
    "feedback.filter": ("筛选", "Filter"),
    "feedback.received": ("时间（UTC）", "Received (UTC)"),
    "feedback.customer": ("客户", "Customer"),
    "feedback.contact": ("联系方式", "Contact"),
    "feedback.rating": ("评分", "Rating"),
    "feedback.text": ("内容", "Text"),
    "feedback.none": ("没有反馈。", "No feedback."),
    "feedback.masked_note": (
        "您的角色只能看到打码后的电话和邮箱。",
        "Your role sees phone numbers and e-mails masked.",
    ),
    "page.previous": ("上一页", "Previous"),
    "page.next": ("下一页", "Next"),
    "page.of": ("第 {page} 页", "Page {page}"),
    "import.title": ("导入数据", "Import data"),
    "import.kind": ("数据类型", "Kind of data"),
    "import.kind.customers": ("客户", "Customers"),
    "import.kind.orders": ("订单", "Orders"),
    "import.kind.feedback": ("反馈", "Feedback"),
    "import.file": ("文件（CSV、XLSX、JSONL）", "File (CSV, XLSX, JSONL)"),
    "import.submit": ("上传并导入", "Upload and import"),
    "import.result": ("导入结果", "Import result"),
    "import.rows_read": ("读取行数", "Rows read"),
    "import.imported": ("已导入", "Imported"),
    "import.already_present": ("已存在", "Already present"),
    "import.set_aside": ("已隔离", "Set aside"),
    "import.limit": ("最大 {mb} MB", "At most {mb} MB"),
    "users.title": ("员工用户", "Staff users"),
    "users.username": ("用户名", "User name"),
    "users.display_name": ("显示名称", "Display name"),
    "users.role": ("角色", "Role"),
    "users.active": ("状态", "Status"),
    "users.is_active": ("启用", "Active"),
    "users.inactive": ("停用", "Inactive"),
    "users.last_login": ("最近登录", "Last login"),
    "users.create": ("新建用户", "New user"),
    "users.create_submit": ("创建", "Create"),
    "users.deactivate": ("停用", "Deactivate"),
    "users.activate": ("启用", "Activate"),
    "users.tokens": ("API 令牌", "API tokens"),
    "users.token_name": ("令牌名称", "Token name"),
    "users.token_create": ("新建令牌", "New token"),
    "users.token_revoke": ("吊销", "Revoke"),
    "users.token_revoked": ("已吊销", "Revoked"),
    "users.token_once": (
        "请立即复制此令牌，它只显示这一次：",
        "Copy this token now; it is shown only once:",
    ),
    "users.token_prefix": ("前缀", "Prefix"),
    "users.created": ("创建时间", "Created"),
    "role.admin": ("管理员", "Admin"),
    "role.analyst": ("分析师", "Analyst"),
    "role.agent": ("客服", "Agent"),
    "role.viewer": ("只读", "Viewer"),
    "channel.survey": ("问卷", "Survey"),
    "channel.email": ("邮件", "E-mail"),
    "channel.web_form": ("网页表单", "Web form"),
    "channel.social": ("社交媒体", "Social media"),
    "channel.review": ("评论", "Review"),
    "channel.app_store": ("应用商店", "App store"),
    "channel.call_centre": ("呼叫中心", "Call centre"),
    "channel.in_app": ("应用内", "In-app"),
    "channel.chat": ("在线聊天", "Chat"),
    "error.title": ("出错了", "Something went wrong"),
    "error.back": ("返回首页", "Back to home"),
    "error.not_found": ("页面不存在", "Page not found"),
    "error.forbidden": ("您的角色无权执行此操作", "Your role may not do this"),
    "error.csrf": (
        "表单已过期，请刷新页面后重试",
        "The form expired; reload the page and try again",
    ),
    "error.too_large": ("上传内容过大", "The upload is too large"),
    "error.invalid": ("输入无效", "Invalid input"),
}


def normalise_language(lang: str | None, default: str = "zh") -> str:
    """Map any language tag to one we have: zh-CN -> zh, en-GB -> en, else the default."""
    if lang:
        base = lang.strip().lower()[:2]
        if base in LANGUAGES:
            return base
    return default if default in LANGUAGES else "zh"


def t(key: str, lang: str = "zh", **values: object) -> str:
    """The message for `key` in `lang`, with `{name}` placeholders filled; unknown keys echo back."""
    pair = MESSAGES.get(key)
    if pair is None:
        return key
    text = pair[1] if normalise_language(lang) == "en" else pair[0]
    return text.format(**values) if values else text
