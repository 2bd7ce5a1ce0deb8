"""Page data kept until the plan or the ledger changes: a page is fetched far more often than
either changes, and rebuilding it reads the plan workbook and the whole period's ledger."""
from __future__ import annotations

import functools
from datetime import date

from ..collect.ledger import Ledger

KEEP = 64  # pages kept per campaign (the oldest dropped first)


def state(c) -> tuple:
    """What the pages of a campaign are built from: the plan file's stamp, the ledger's
    state token (it changes with every recorded file and every decision of the clerk), and
    the day (a 催报通知 is dated)."""
    st = c.plan_path.stat()
    ledger = ""
    if c.ledger.exists():
        with Ledger(c.ledger) as db:
            ledger = db.state()
    return st.st_mtime_ns, st.st_size, ledger, date.today()


def cached(fn):
    """fn(campaign, *args) -> dict, rebuilt only when state(campaign) has changed."""
    @functools.wraps(fn)
    def wrapper(c, *args):
        key, now = (fn.__name__, args), state(c)
        hit = c.cache.get(key)
        if hit is None or hit[0] != now:
            hit = c.cache[key] = (now, fn(c, *args))
            while len(c.cache) > KEEP:
                c.cache.pop(next(iter(c.cache)))
        return dict(hit[1])  # the caller may add keys; the cached dict stays as built
    return wrapper
