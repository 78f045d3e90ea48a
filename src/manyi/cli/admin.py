"""`manyi admin ...` commands: create and list staff users, set passwords, issue API tokens."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from manyi.audit import service as audit
from manyi.cli.context import open_database
from manyi.errors import ManyiError
from manyi.staff import service as staff_service
from manyi.staff.models import Role
from manyi.store.engine import unit_of_work

app = typer.Typer(help="Staff users and API tokens / 员工账号", no_args_is_help=True)
CLI_ACTOR = "cli"


def _read_password(password: str | None) -> str:
    """The password from --password, one line of piped stdin, or a twice-typed prompt."""
    if password is not None:
        return password
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password / 密码", hide_input=True, confirmation_prompt=True))


def _fail(exc: ManyiError) -> typer.Exit:
    """Print a user error to stderr and give the exit code for it."""
    typer.echo(f"error / 错误: {exc.message}", err=True)
    return typer.Exit(2)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="User name / 用户名"),
    role: Role = typer.Option(Role.VIEWER, help="admin | analyst | agent | viewer / 角色"),
    password: str | None = typer.Option(
        None,
        help="Password (else read from stdin or prompted) / 密码（否则从标准输入读取或提示输入）",
    ),
    display_name: str | None = typer.Option(None, help="Display name / 显示名称"),
) -> None:
    """Create a staff user / 创建员工用户."""
    secret = _read_password(password)
    db = open_database()
    try:
        with unit_of_work(db.sessions) as session:
            user = staff_service.create_user(
                session=session,
                username=username,
                password=secret,
                role=role,
                display_name=display_name,
            )
            audit.record(
                session=session,
                actor=CLI_ACTOR,
                action="user_created",
                object_type="staff_user",
                object_id=user.id,
                detail={"username": user.username, "role": user.role},
            )
    except ManyiError as exc:
        raise _fail(exc) from None
    typer.echo(f"created / 已创建: {username} ({role.value})")


@app.command("list")
def list_users(
    as_json: bool = typer.Option(False, "--json", help="Print JSON / 输出 JSON"),
) -> None:
    """List staff users / 列出员工用户."""
    db = open_database()
    with unit_of_work(db.sessions) as session:
        users = staff_service.list_users(session=session)
        rows: list[dict[str, Any]] = [
            {
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "active": u.is_active,
                "last_login_at": u.last_login_at.isoformat() if u.last_login_at else None,
            }
            for u in users
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table(
        "user / 用户", "name / 名称", "role / 角色", "active / 启用", "last login / 最近登录"
    )
    for r in rows:
        table.add_row(
            r["username"],
            r["display_name"] or "",
            r["role"],
            "yes / 是" if r["active"] else "no / 否",
            r["last_login_at"] or "",
        )
    Console().print(table)


@app.command("token")
def token(
    username: str = typer.Argument(..., help="User name / 用户名"),
    name: str = typer.Option(..., "--name", help="What the token is for / 令牌用途"),
) -> None:
    """Create an API token and print it once / 创建 API 令牌（只显示一次）."""
    db = open_database()
    try:
        with unit_of_work(db.sessions) as session:
            user = staff_service.find_user(session=session, username=username)
            if user is None:
                raise ManyiError(f"no user {username!r}")
            new = staff_service.create_token(session=session, user=user, name=name)
            audit.record(
                session=session,
                actor=CLI_ACTOR,
                action="token_created",
                object_type="api_token",
                object_id=new.row.id,
                detail={"user": username, "name": name, "prefix": new.row.prefix},
            )
    except ManyiError as exc:
        raise _fail(exc) from None
    typer.echo(new.token)


@app.command("set-password")
def set_password(
    username: str = typer.Argument(..., help="User name / 用户名"),
    password: str | None = typer.Option(None, help="New password / 新密码"),
) -> None:
    """Set a user's password; their browser sessions end / 重设密码（会话将失效）."""
    secret = _read_password(password)
    db = open_database()
    try:
        with unit_of_work(db.sessions) as session:
            user = staff_service.find_user(session=session, username=username)
            if user is None:
                raise ManyiError(f"no user {username!r}")
            staff_service.set_password(session=session, user=user, password=secret)
            audit.record(
                session=session,
                actor=CLI_ACTOR,
                action="password_set",
                object_type="staff_user",
                object_id=user.id,
            )
    except ManyiError as exc:
        raise _fail(exc) from None
    typer.echo(f"password updated / 密码已更新: {username}")
