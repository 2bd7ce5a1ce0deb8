"""Start the desk: check the address, open the browser, serve with uvicorn."""
from __future__ import annotations

import errno
import socket
import threading
import webbrowser
from pathlib import Path

from ..model.errors import DeskError
from ..model.glossary import official_text

_WSAEADDRINUSE = 10048  # (Windows' own code for a port taken)


def serve(root: Path, host: str, port: int, open_browser: bool = True) -> None:
    """Serve the desk until Ctrl+C; the caller has checked host_refusal(host) first.
    DeskError when the port is taken (the desk started twice: a second click on its icon)."""
    import uvicorn

    from .routes import create_app

    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    try:  # bound here, handed to uvicorn: a taken port is said in Chinese, before anything
        sock = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host
                                    else socket.AF_INET)
    except OSError as exc:
        taken = exc.errno == errno.EADDRINUSE or getattr(exc, "winerror", None) == _WSAEADDRINUSE
        raise DeskError(official_text(
            "无法在 {where} 启动督办工作台:该端口已被占用。工作台可能已经在运行,请直接在浏览器中"
            "打开 {url};否则请用 --port 换一个端口(如 --port {other})。" if taken else
            # not this PC's address, a port the system reserves…
            "无法在 {where} 启动督办工作台:这个地址或端口不能使用(可能不是本机的地址,或端口被"
            "系统保留)。请用 --port 换一个端口(如 --port {other}),或用 --host 指定本机的地址。",
            where=f"{host}:{port}", url=url, other=port + 1)) from exc
    app = create_app(root)
    print(f"督办工作台:{url}(工作文件夹 {root});按 Ctrl+C 退出。")
    if open_browser:  # after a moment, so the server is listening when the page loads
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    with sock:
        uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])
