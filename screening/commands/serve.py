"""`screening serve [--host H] [--port P]`: the portal hook over HTTP (contract §4, `screening.server`)."""

from __future__ import annotations

from typing import Annotated

import typer

from screening.cli import app
from screening.limits import MB, from_env


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址（默认只监听本机）")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="监听端口（0：任选空闲端口）")] = 8080,
    max_upload_mb: Annotated[float | None, typer.Option("--max-upload-mb", help="单次请求的大小上限（MB）（环境变量 SCREENING_MAX_UPLOAD_MB；默认 64）")] = None,
    max_files: Annotated[int | None, typer.Option("--max-files", help="单次请求的附件数上限（环境变量 SCREENING_MAX_FILES；默认 20）")] = None,
    parse_timeout: Annotated[float | None, typer.Option("--parse-timeout", help="每个附件读取的限时（秒）（环境变量 SCREENING_PARSE_TIMEOUT；默认 30）")] = None,
    parse_memory_mb: Annotated[int | None, typer.Option("--parse-memory-mb", help="每个读取进程可用内存（MB）（环境变量 SCREENING_PARSE_MEMORY_MB；默认 2048）")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="同时读取的附件数（环境变量 SCREENING_PARSE_WORKERS；默认CPU核数）")] = None,
    max_concurrent: Annotated[int | None, typer.Option("--max-concurrent", help="同时筛查的请求数，超出的答复 503（环境变量 SCREENING_MAX_CONCURRENT；默认为 workers 的 2 倍）")] = None,
    body_timeout: Annotated[float | None, typer.Option("--body-timeout", help="发送请求正文的限时（秒），超时答复 408（环境变量 SCREENING_BODY_TIMEOUT；默认 60）")] = None,
    header_timeout: Annotated[float | None, typer.Option("--header-timeout", help="发送请求头的限时（秒），超时答复 408 并断开（环境变量 SCREENING_HEADER_TIMEOUT；默认 10）")] = None,
    max_connections: Annotated[int | None, typer.Option("--max-connections", help="同时打开的连接数上限，超出时关闭闲置最久的连接或以 503 拒绝新连接（环境变量 SCREENING_MAX_CONNECTIONS；默认为 max-concurrent 的 8 倍加 64）")] = None,
) -> None:
    """启动供申报系统调用的筛查服务：POST /v1/screen（同步筛查）、POST /v1/jobs 与 GET /v1/jobs/{id}（异步任务，
    任务目录等见环境变量 SCREENING_JOBS_DIR、SCREENING_JOBS_KEEP_DAYS、SCREENING_JOBS_CALLBACK、SCREENING_JOBS_MAX_PENDING），
    POST /v1/redact/preview 与 /v1/redact（脱敏预览与副本）、POST /v1/annotate（批注版）、GET /healthz；
    GET / 为上传页面，GET /docs 为接口文档（离线可用）。"""
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
