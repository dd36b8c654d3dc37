"""The interactive API documentation at /docs: Swagger UI over /openapi.json, every asset served
by the service itself from the installed `fastapi_offline` package (no CDN, no request leaves the
host; the online validator badge is off). The page is `static/api-docs.html`; `ASSETS` are the
files it loads, under `ASSET_PATH`."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from screening.errors import UsageError

PAGE = Path(__file__).resolve().parent / "static" / "api-docs.html"
ASSET_PATH = "/docs/assets"
ASSETS = {  # file of fastapi_offline/static → media type
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon.png": "image/png",
}


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


@cache
def asset(name: str) -> bytes:
    """The content of one of `ASSETS` (KeyError for any other name)."""
    if name not in ASSETS:  # never a path of the client's choosing
        raise KeyError(name)
    try:
        return (files("fastapi_offline") / "static" / name).read_bytes()
    except (ModuleNotFoundError, OSError) as err:
        raise UsageError(f"接口文档页面需要可选依赖 fastapi-offline（{err}）：在源码目录中执行 "
                         "pip install -c constraints.txt -e '.[server]'") from None
