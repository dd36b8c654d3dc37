"""`screening serve [--host H] [--port P]`: the portal hook over HTTP (contract §4, `screening.server`)."""

from __future__ import annotations

from typing import Annotated

import typer

from screening.cli import app
from screening.limits import MB, from_env


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="address to listen on (loopback by default)")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="port to listen on (0: any free port)")] = 8080,
    max_upload_mb: Annotated[float | None, typer.Option("--max-upload-mb", help="largest request in MB (env SCREENING_MAX_UPLOAD_MB; default 64)")] = None,
    max_files: Annotated[int | None, typer.Option("--max-files", help="attachments per request (env SCREENING_MAX_FILES; default 20)")] = None,
    parse_timeout: Annotated[float | None, typer.Option("--parse-timeout", help="seconds one attachment may take (env SCREENING_PARSE_TIMEOUT; default 30)")] = None,
    parse_memory_mb: Annotated[int | None, typer.Option("--parse-memory-mb", help="memory of one parsing process in MB (env SCREENING_PARSE_MEMORY_MB; default 2048)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="attachments parsed at once (env SCREENING_PARSE_WORKERS; default CPU count)")] = None,
    max_concurrent: Annotated[int | None, typer.Option("--max-concurrent", help="requests screened at once, more get 503 (env SCREENING_MAX_CONCURRENT; default 2 × workers)")] = None,
    body_timeout: Annotated[float | None, typer.Option("--body-timeout", help="seconds to send a request body, 408 after (env SCREENING_BODY_TIMEOUT; default 60)")] = None,
    header_timeout: Annotated[float | None, typer.Option("--header-timeout", help="seconds to send the request headers, 408 and closed after (env SCREENING_HEADER_TIMEOUT; default 10)")] = None,
    max_connections: Annotated[int | None, typer.Option("--max-connections", help="open connections; beyond, the longest idle is closed or the new one refused 503 (env SCREENING_MAX_CONNECTIONS; default 8 × max-concurrent + 64)")] = None,
) -> None:
    """Serve POST /v1/screen, POST /v1/redact, GET /healthz and the upload page at GET /."""
    from screening.server import serve as run_server

    limits = from_env().override(
        max_request_bytes=int(max_upload_mb * MB) if max_upload_mb is not None else None,
        max_files=max_files,
        parse_timeout=parse_timeout,
        parse_memory=parse_memory_mb * MB if parse_memory_mb is not None else None,
        workers=workers,
        max_concurrent=max_concurrent,
        body_timeout=body_timeout,
        header_timeout=header_timeout,
        max_connections=max_connections,
    )
    run_server(host, port, limits)
