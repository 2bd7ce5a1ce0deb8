"""The desk: a local web app (Starlette) over the same api the CLI uses (issue 16)."""
from .routes import create_app
