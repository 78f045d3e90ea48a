"""`manyi quickstart`: embedded database, demo data, analysis, server — one command.

Each step is idempotent: a second run finds the demo data loaded and the analyses current, so it
only gives the admin a fresh password and starts the server again.
"""

from __future__ import annotations

import secrets
import socket
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import func, select

from manyi.cli.context import Database, open_database
from manyi.cli.serve import run_server
from manyi.config import Settings, load_settings
from manyi.customer.models import Customer
from manyi.demo.generator import generate, write_csv
from manyi.demo.load import load_demo
from manyi.errors import ManyiError
from manyi.feedback import service as feedback_service
from manyi.order.models import Order
from manyi.scoring import service as scoring_service
from manyi.segment import service as segment_service
from manyi.staff import service as staff_service
from manyi.store.engine import unit_of_work

ADMIN_USER = "admin"


@dataclass(frozen=True)
class Login:
    """Where the server listens and how to log in."""

    url: str
    username: str
    password: str


def _progress(console: Console) -> Progress:
    """One progress display for all quickstart steps."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _load_demo(database: Database, settings: Settings, customers: int, progress: Progress) -> None:
    """Generate and import the demo data unless the database already holds customers."""
    with database.sessions() as session:
        existing = session.scalar(select(func.count()).select_from(Customer)) or 0
    steps = ("generate", "customers", "orders", "feedback", "text analysis")
    task = progress.add_task("Demo data / 演示数据", total=len(steps))
    if existing:
        progress.update(task, completed=len(steps))
        return
    folder = settings.data_dir / "demo"
    write_csv(generate(customers=customers), folder)
    progress.advance(task)

    def step_done(step: str) -> None:
        progress.update(task, completed=steps.index(step))

    taxonomy = feedback_service.load_taxonomy(settings.aspect_taxonomy)
    load_demo(sessions=database.sessions, folder=folder, on_file=step_done, taxonomy=taxonomy)
    progress.update(task, completed=len(steps))


def _analyse_feedback(database: Database, settings: Settings, progress: Progress) -> int:
    """Run the text analytics over every feedback item not yet analysed with the current model."""
    task = progress.add_task("Feedback text analysis / 反馈文本分析", total=None)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    taxonomy = feedback_service.load_taxonomy(settings.aspect_taxonomy)
    result = feedback_service.analyze_all(
        sessions=database.sessions, progress=report, taxonomy=taxonomy
    )
    progress.update(task, total=max(result.analyzed, 1), completed=max(result.analyzed, 1))
    return result.analyzed


def _latest_order_day(database: Database) -> date | None:
    """The day of the newest order: the demo data ends before today, so analyses use its end."""
    with database.sessions() as session:
        latest = session.scalar(select(func.max(Order.ordered_at)))
    return latest.date() if latest else None


def _segment(database: Database, as_of: date, progress: Progress) -> None:
    """Store segment snapshots a quarter apart, so the segments page can show migration."""
    days = (as_of - timedelta(days=92), as_of)
    task = progress.add_task("Segments / 客户分群", total=len(days))
    for day in days:
        with unit_of_work(database.sessions) as session:
            stored = {s.as_of for s in segment_service.list_snapshots(session=session, kind="rfm")}
            if day not in stored:
                segment_service.compute_snapshots(session=session, as_of=day)
        progress.advance(task)


def _score(database: Database, as_of: date, progress: Progress) -> None:
    """Score churn risk and lifetime value and recommend retention actions."""
    task = progress.add_task("Churn and CLV scores / 流失与价值评分", total=None)

    def report(step: str, done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    with unit_of_work(database.sessions) as session:
        if scoring_service.latest_as_of(session=session) != as_of:
            scoring_service.score_customers(session=session, as_of=as_of, progress=report)
    progress.update(task, total=1, completed=1)


def _customer_analyses(database: Database, progress: Progress, console: Console) -> None:
    """Segments and scores as of the newest order; one that cannot run is reported, not fatal."""
    as_of = _latest_order_day(database)
    if as_of is None:
        return
    for step in (_segment, _score):
        try:
            step(database, as_of, progress)
        except ManyiError as exc:
            console.print(f"[yellow]{escape(exc.message)}[/yellow]")


def _reset_admin(database: Database) -> str:
    """Give the quickstart admin a new random password (printed once, stored only as a hash)."""
    password = secrets.token_urlsafe(12)
    with database.sessions.begin() as session:
        staff_service.ensure_admin(session=session, username=ADMIN_USER, password=password)
    return password


def _check_port(host: str, port: int) -> None:
    """Fail early, with a clear message, when the port is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise typer.BadParameter(
                f"cannot listen on {host}:{port} ({exc.strerror}); choose another with --port "
                f"/ 端口不可用，请用 --port 指定其他端口",
                param_hint="--port",
            ) from exc


def prepare(
    settings: Settings,
    *,
    customers: int,
    console: Console,
) -> str:
    """Migrate, load demo data, run the analyses and reset the admin; returns the password."""
    database = open_database(settings)
    try:
        with _progress(console) as progress:
            _load_demo(database, settings, customers, progress)
            _analyse_feedback(database, settings, progress)
            _customer_analyses(database, progress, console)
        return _reset_admin(database)
    finally:
        database.engine.dispose()


def quickstart(
    host: Annotated[str, typer.Option(help="Address to listen on / 监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port / 端口")] = 8000,
    customers: Annotated[
        int, typer.Option(help="Demo customers on first run / 首次运行生成的演示客户数")
    ] = 3000,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server / 是否启动服务")
    ] = True,
) -> None:
    """Create the database, load demo data, analyse it and start the server / 一键体验."""
    console = Console()
    settings = load_settings()
    if serve:
        _check_port(host, port)
    console.print(f"Database / 数据库: {escape(settings.display_database_url)}")
    try:
        password = prepare(settings, customers=customers, console=console)
    except (ManyiError, ValueError) as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(1) from exc
    shown = f"[{host}]" if ":" in host else host
    login = Login(url=f"http://{shown}:{port}/", username=ADMIN_USER, password=password)
    console.print(f"\n[bold]manyi[/bold]  {login.url}")
    console.print(f"Login / 登录:  {login.username}  /  {login.password}")
    console.print("(a new password on every run / 每次运行都会生成新密码)\n")
    if not serve:
        return
    run_server(settings, host, port)
