"""Start the desk: check the address, open the browser, serve with uvicorn."""
from __future__ import annotations

import threading
import webbrowser
from pathlib import Path


def serve(root: Path, host: str, port: int, open_browser: bool = True) -> None:
    """Serve the desk until Ctrl+C; the caller has checked host_refusal(host) first."""
    import uvicorn

    from .routes import create_app

    app = create_app(root)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    print(f"督办工作台:{url}(工作文件夹 {root});按 Ctrl+C 退出。")
    if open_browser:  # after a moment, so the server is listening when the page loads
        threading.Timer(1.0, webbrowser.open, (url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning")


__all__ = ["serve"]
