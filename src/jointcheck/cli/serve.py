"""``jointcheck serve``: run the API with uvicorn, settings from the environment.

Before listening it checks what would otherwise fail later: the settings (outside development
a placeholder ``JOINTCHECK_SECRET_KEY`` or a missing key is refused), the keys, and that the
database is at the newest revision. Any of these is a usage error (exit 2) with one line
saying which.
"""

from __future__ import annotations

import typer
import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from jointcheck.api.app import create_app
from jointcheck.cli.common import errors, usage_error
from jointcheck.cli.database import DbOption, current_engine, settings_or_exit
from jointcheck.config import ConfigError


def serve_command(host: str = typer.Option("127.0.0.1", "--host",
                                           help="Address to listen on (0.0.0.0 for all)."),
                  port: int = typer.Option(8000, "--port", min=1, max=65535,
                                           help="Port to listen on."),
                  db: str | None = DbOption) -> None:
    """Run the district server's API (OpenAPI at /openapi.json, documentation at /docs)."""
    settings = settings_or_exit()
    if db is not None:
        settings = settings.model_copy(update={"database_url": db})
    engine = current_engine(settings.database_url)
    try:
        app = create_app(settings, engine=engine)
    except ConfigError as exc:
        engine.dispose()
        usage_error(f"{exc.message} ({exc.code})")
    except SQLAlchemyError as exc:
        engine.dispose()
        usage_error(f"cannot open the database: {exc.__class__.__name__}: {exc}")
    errors.print(f"jointcheck serves on http://{host}:{port} ({settings.environment})",
                 markup=False, highlight=False)
    try:
        uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True)
    finally:
        engine.dispose()
