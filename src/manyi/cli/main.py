"""The `manyi` command: one Typer app that mounts each domain's command group."""

from __future__ import annotations

import typer

from manyi.cli import admin, db, demo, importing, metrics, predict, quickstart, segment, serve, text

app = typer.Typer(
    name="manyi",
    help="满意 manyi — customer-experience management / 客户体验管理",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db.app, name="db")
app.add_typer(importing.app, name="import")
app.add_typer(admin.app, name="admin")
app.command("serve")(serve.serve)
app.command("demo-data")(demo.demo_data)
app.command("quickstart")(quickstart.quickstart)
app.add_typer(metrics.app, name="metrics")
app.add_typer(text.app, name="text")
app.add_typer(segment.app, name="segment")
app.add_typer(predict.app, name="predict")


def main() -> None:
    """Entry point of the console script."""
    app()


if __name__ == "__main__":
    main()
