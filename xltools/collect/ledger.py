"""The ledger: every file received, its fate, its findings and every accepted value.

An embedded SQLite database (WAL, foreign keys, PRAGMA user_version) and a content-addressed
archive folder beside it (`<db stem>_archive/<sha[:2]>/<sha>.<ext>`). One collect run is
one write transaction (BEGIN IMMEDIATE ... COMMIT): a run killed at any moment leaves the
ledger as it was before the run; archive files are written (atomically) before the rows
that reference them, so the database never points at a half-written file.

Order of a run:  begin → for each file: receipt_status (skip if known) → archive →
examine → record → commit  (rollback on error).
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import math
import os
import re
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterator

from ..model.errors import FileChanged, LedgerBusy, LedgerError
from ..model.findings import TEXT, Finding, finding
from ..model.periods import make_period, period_bounds
from ..model.collector import gc_paused
from ..model.returns import (ACCEPTED, ACTUAL, DUPLICATE, IGNORED, REJECTED, SUPERSEDED,
                             FormReturn, Received)
from .intake import copy_hashed, is_utf8
from .records import Decision, FormStatus, KnownFile, PeriodStatus, Receipt, Submission
from .serialize import cell_values, form_return_from_dict, form_return_json, jsonable
from .stamps import STAMP, archive_ext

SCHEMA_VERSION = 9
ARCHIVE_EXTS = {"xlsx", "xlsm", "xls", "ods", "zip"}
_SHA = re.compile(r"^[0-9a-f]{64}$")
PLACE = ("file", "sheet", "cell", "unit", "task", "ref")  # a stored finding's place
_STATUSES = (ACCEPTED, REJECTED, SUPERSEDED, DUPLICATE, IGNORED)

# version 3: a finding is stored as data (params as JSON) and rendered when read
FINDINGS = """CREATE TABLE findings (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  receipt_id INTEGER REFERENCES receipts(id),
  code TEXT NOT NULL,
  severity TEXT NOT NULL,
  file TEXT, sheet TEXT, cell TEXT, unit TEXT, task TEXT, ref TEXT,
  params TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX findings_sha ON findings(sha256)"""

# version 5: the values of a return clustered by its file (one b-tree, no other index: the
# per-row index upkeep was most of the cost of recording them); n orders them in the return.
# version 6: without the plan, period, form and unit, which its submission holds (a fifth of
# the cost of recording them, a quarter of their size)
# version 7: keyed by a number given to the return's values (value_sets), not its 64-digit
# hash: each return's values go in at the end of the b-tree instead of at a random place;
# half the size (a province's quarter: 75 -> 39 MB) and about a quarter faster to insert
VALUE_SETS = """CREATE TABLE value_sets (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE REFERENCES submissions(sha256)
)"""
VALUES = """CREATE TABLE "values" (
  set_id INTEGER NOT NULL REFERENCES value_sets(id),
  n INTEGER NOT NULL,
  key TEXT NOT NULL,
  field TEXT NOT NULL,
  value_text TEXT,
  value_num REAL,
  sheet TEXT,
  cell TEXT,
  row INTEGER,
  blocked INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (set_id, n)
) WITHOUT ROWID"""
_VALUE_COLUMNS = "key, field, value_text, value_num, sheet, cell, row, blocked"

# version 9: a receipt is one period's (the plan and period of the runs that saw the file):
# the same file in two periods' inboxes has its outcome in each, what one says and counts
# depends on its own runs only; the bytes and the record that counts them are kept once
RECEIPTS = f"""CREATE TABLE receipts (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  sha256 TEXT NOT NULL REFERENCES files(sha256),
  path TEXT NOT NULL,
  display TEXT NOT NULL,
  name TEXT NOT NULL,
  received_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN {_STATUSES!r}),
  plan_id TEXT NOT NULL,
  period TEXT NOT NULL,
  UNIQUE (sha256, display, plan_id, period)
);
CREATE INDEX receipts_period ON receipts(plan_id, period)"""

# version 9: runs.changed, whether the run recorded anything (Ledger.state)
SCHEMA = f"""
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  plan_id TEXT NOT NULL,
  period TEXT NOT NULL,
  inputs TEXT NOT NULL DEFAULT '[]',
  changed INTEGER NOT NULL DEFAULT 1
);
CREATE TABLE files (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  kind TEXT NOT NULL,
  archived TEXT,
  first_seen TEXT NOT NULL
);
{RECEIPTS};
CREATE TABLE submissions (
  sha256 TEXT PRIMARY KEY REFERENCES files(sha256),
  run_id INTEGER NOT NULL REFERENCES runs(id),
  display TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  unit TEXT NOT NULL,
  period TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN {_STATUSES!r}),
  received_at TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  late INTEGER NOT NULL DEFAULT 0,
  supersedes TEXT,
  payload TEXT NOT NULL
);
CREATE INDEX submissions_form ON submissions(plan_id, period, kind, unit, status);
{FINDINGS};
{VALUE_SETS};
{VALUES};
"""

# version 2: what the clerk decided by hand (credit a held return, set a received time)
HISTORY = """
CREATE TABLE IF NOT EXISTS history (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  who TEXT NOT NULL,
  action TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  plan_id TEXT NOT NULL,
  period TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '{}'
)"""

# version 8: intake's stat cache. An inbox file whose stat is the one recorded here (and
# whose receipt is settled) is not read, copied and sniffed again: a re-collect after a few
# late e-mails reads only those (issue 18). limits: the Limits the type was decided under.
INTAKE_STATS = """
CREATE TABLE IF NOT EXISTS intake_stats (
  path BLOB PRIMARY KEY,
  display TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  ctime_ns INTEGER NOT NULL,
  ino INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  file_type TEXT NOT NULL,
  limits TEXT NOT NULL
) WITHOUT ROWID"""

# version 4: mail sent to the units and fetched from the office mailbox (xltools.mail)
MAIL = """
CREATE TABLE IF NOT EXISTS mail_sent (
  id INTEGER PRIMARY KEY,
  plan_id TEXT NOT NULL,
  period TEXT NOT NULL,
  purpose TEXT NOT NULL,
  unit TEXT NOT NULL,
  batch TEXT NOT NULL DEFAULT '',
  message_id TEXT NOT NULL UNIQUE,
  sent_at TEXT NOT NULL,
  recipients TEXT NOT NULL,
  subject TEXT NOT NULL,
  attachments TEXT NOT NULL DEFAULT '[]',
  UNIQUE (plan_id, period, purpose, unit, batch)
);
CREATE TABLE IF NOT EXISTS mail_fetched (
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  folder TEXT NOT NULL,
  uidvalidity INTEGER NOT NULL,
  uid INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  message_id TEXT NOT NULL DEFAULT '',
  sender TEXT NOT NULL DEFAULT '',
  sent TEXT NOT NULL DEFAULT '',
  unit TEXT NOT NULL DEFAULT '',
  archived TEXT NOT NULL DEFAULT '',
  fetched_at TEXT NOT NULL,
  findings TEXT NOT NULL DEFAULT '[]',
  UNIQUE (account, folder, uidvalidity, uid)
)"""


def _now() -> str:
    return datetime.now().isoformat(timespec="microseconds")


def _safe_text(s: object) -> str:
    """Text SQLite can store (lone surrogates from odd file names replaced)."""
    t = "" if s is None else str(s)
    return t if is_utf8(t) else t.encode("utf-8", "replace").decode("utf-8")


def _period_end(period: str) -> str:
    try:
        return period_bounds(period)[1].isoformat()
    except ValueError:
        return period


def _copy_of(display: str, sub: sqlite3.Row, plan_period: tuple[str, str]) -> Finding:
    """What a copy of a recorded file is told: the same as that file (duplicate-file), or,
    recorded by a run for another period of the plan (a 2019Q1 form put into 2019Q2's
    inbox after 2019Q1 took it), that it counts there and not here."""
    if (sub["plan_id"], sub["period"]) == plan_period or sub["plan_id"] != plan_period[0]:
        return finding("duplicate-file", file=display, value=sub["display"])
    try:
        name = make_period(sub["period"]).name
    except ValueError:  # (a period id this xltools cannot read: shown as it is)
        name = sub["period"]
    return finding("received-for-other-period", file=display, value=sub["display"], period=name)


class Ledger:
    """The embedded ledger of one plan folder (or any --db path)."""

    def __init__(self, db_path: Path | str, busy_timeout: float = 30.0):
        self.db_path = Path(db_path)
        self.archive_dir = self.db_path.with_name(self.db_path.stem + "_archive")
        self.busy_timeout = busy_timeout
        self._run: tuple[int, str, str] | None = None  # run id, plan_id, period
        self._changed = False  # whether the run under way recorded anything
        self.on_wait = None  # called once when begin() has to wait for another writer
        # archived by the run under way: synced before its commit, removed on its rollback
        self._new_files: list[Path] = []
        self._links = True  # hard links into the archive work (until one fails)
        # the caller's private folder of snapshots (collect's intake copies): files there
        # are linked into the archive instead of copied
        self.snapshots: Path | None = None
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(str(self.db_path), timeout=busy_timeout,
                                        isolation_level=None)
        except sqlite3.Error as exc:
            raise LedgerError(f"无法打开台账 {self.db_path}({exc})。请检查路径和权限。") from exc
        self.conn.row_factory = sqlite3.Row
        try:
            self.conn.execute("PRAGMA journal_mode = WAL")
            # a run is one commit: FULL costs one fsync of the WAL per run and makes a
            # finished collect survive a power cut (NORMAL may roll the last one back)
            self.conn.execute("PRAGMA synchronous = FULL")
            self._migrate()  # (foreign keys off: a table rebuilt keeps the references to it)
            self.conn.execute("PRAGMA foreign_keys = ON")
        except sqlite3.OperationalError as exc:
            self.conn.close()
            if _is_busy(exc):
                raise self._busy() from exc
            raise LedgerError(f"无法打开台账 {self.db_path}({exc})。") from exc
        except sqlite3.DatabaseError as exc:
            self.conn.close()
            raise LedgerError(f"台账 {self.db_path} 不是有效的数据库或已损坏({exc})。"
                              "请用 --db 指定其他台账,或从备份恢复。") from exc

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        """A run begun and not committed (an error, an interrupt) is rolled back."""
        if self._run is not None or self.conn.in_transaction:
            self.rollback()
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.conn.close()

    def _busy(self) -> LedgerBusy:
        return LedgerBusy(f"台账 {self.db_path} 正被另一个 xltools collect 使用,"
                          f"已等待 {self.busy_timeout:g} 秒仍未释放。请等它完成后再运行。")

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LedgerError(f"台账 {self.db_path} 由更新版本的 xltools 创建(格式 {version}),"
                              "请升级 xltools 后再使用。")
        if version == SCHEMA_VERSION:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version == 0:
                self._script(SCHEMA)
            # each step upgrades the formats below its own (a negative version fails the first
            # step, and so the ledger is refused)
            for below, step in ((3, self._findings_as_data), (7, self._values_by_set),
                                (SCHEMA_VERSION, self._receipts_by_period)):
                if version and version < below:
                    step()
            self._script(HISTORY, MAIL, INTAKE_STATS)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def _script(self, *scripts: str) -> None:
        """Each statement of the SQL scripts, in order (inside the caller's transaction:
        executescript would commit it)."""
        for stmt in ";".join(scripts).split(";"):
            if stmt.strip():
                self.conn.execute(stmt)

    def _findings_as_data(self) -> None:
        """Format 2 to 3: a finding stored as rendered text keeps that text (the TEXT param)."""
        c = self.conn
        old = c.execute("SELECT * FROM findings ORDER BY id").fetchall()
        c.execute("DROP TABLE findings")
        self._script(FINDINGS)
        c.executemany(
            "INSERT INTO findings(id, sha256, receipt_id, code, severity, file, sheet, cell, unit, "
            "task, params) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(*r[:10], _json({"value": r["value"] or "", TEXT: r["message"]})[0]) for r in old])

    def _values_by_set(self) -> None:
        """Formats 4 to 6 to 7: the values table keyed by value set and clustered by it (n
        keeps their order; in format 4 the row id), without the columns its submission holds
        (formats 4 and 5). A value whose submission is gone (nothing could read it: every
        reader joins submissions) is not carried over; the foreign key would refuse it, and
        the ledger would not open."""
        c = self.conn
        columns = {r["name"] for r in c.execute('PRAGMA table_info("values")')}
        if "set_id" in columns:
            return  # (already so)
        order = "n" if "n" in columns else "id"
        c.execute('ALTER TABLE "values" RENAME TO values_old')
        self._script(VALUE_SETS, VALUES)
        c.execute("INSERT INTO value_sets(sha256) SELECT DISTINCT sha256 FROM values_old "
                  "WHERE sha256 IN (SELECT sha256 FROM submissions) ORDER BY sha256")
        old = ", ".join(f"o.{name}" for name in _VALUE_COLUMNS.split(", "))
        c.execute(f'INSERT INTO "values"(set_id, n, {_VALUE_COLUMNS}) '
                  f"SELECT s.id, o.{order}, {old} FROM values_old o "
                  f"JOIN value_sets s ON s.sha256 = o.sha256 ORDER BY s.id, o.{order}")
        c.execute("DROP TABLE values_old")

    def _receipts_by_period(self) -> None:
        """Formats 1 to 8 to 9: each receipt the period's of its run, but one that was not a
        copy, which had its record's status, the period's of that record (and of its run):
        a file 2019Q1 took again after 2019Q2 refused it (one inbox for every quarter) is
        2019Q1's. Every row kept, with its id (the findings of a receipt refer to it)."""
        c = self.conn
        if "plan_id" in {r["name"] for r in c.execute("PRAGMA table_info(receipts)")}:
            return  # (already so)
        c.execute("PRAGMA legacy_alter_table = ON")  # (the findings still refer to receipts)
        c.execute("ALTER TABLE receipts RENAME TO receipts_old")
        c.execute("PRAGMA legacy_alter_table = OFF")
        self._script(RECEIPTS)
        c.execute("INSERT INTO receipts SELECT o.id, ru.id, o.sha256, o.path, o.display, o.name, "
                  "o.received_at, o.recorded_at, o.status, ru.plan_id, ru.period FROM receipts_old o "
                  "LEFT JOIN submissions s ON s.sha256 = o.sha256 AND o.status != ? "
                  "JOIN runs ru ON ru.id = coalesce(s.run_id, o.run_id)", (DUPLICATE,))
        c.execute("DROP TABLE receipts_old")
        c.execute("ALTER TABLE runs ADD COLUMN changed INTEGER NOT NULL DEFAULT 1")

    # ------------------------------------------------------------ the run
    def begin(self, plan_id: str, period: str, inputs: list | tuple = ()) -> int:
        """Start one write transaction for the whole run; LedgerBusy if another holds it."""
        if self._run is not None:
            raise LedgerError("台账已在一次运行中(begin 被重复调用)。")
        wait = f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}"
        try:
            try:
                if self.on_wait is not None:  # try at once; say so before waiting
                    self.conn.execute("PRAGMA busy_timeout = 0")
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if self.on_wait is None or not _is_busy(exc):
                    raise
                self.on_wait()
                self.conn.execute(wait)
                self.conn.execute("BEGIN IMMEDIATE")
            finally:
                self.conn.execute(wait)
        except sqlite3.OperationalError as exc:
            if _is_busy(exc):
                raise self._busy() from exc
            raise
        self._clean_orphans()
        cur = self.conn.execute(
            "INSERT INTO runs(started_at, plan_id, period, inputs, changed) VALUES (?,?,?,?,0)",
            (_now(), plan_id, period,
             json.dumps([_safe_text(p) for p in inputs], ensure_ascii=False)))
        self._run = (cur.lastrowid, plan_id, period)
        self._new_files, self._changed = [], False
        return cur.lastrowid

    def commit(self) -> None:
        if self._run is None:
            raise LedgerError("没有进行中的运行(commit 前未调用 begin)。")
        self.conn.execute("UPDATE runs SET finished_at = ?, changed = ? WHERE id = ?",
                          (_now(), self._changed, self._run[0]))
        self._sync_archive()
        self.conn.execute("COMMIT")
        self._run, self._new_files = None, []

    def rollback(self) -> None:
        """Undo the run: its rows, and the archive files only it had written."""
        try:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
        finally:
            new, self._new_files, self._run = self._new_files, [], None
            for p in new:  # (what fails here, the next begin() sweeps)
                with contextlib.suppress(OSError, sqlite3.Error):
                    if self.conn.execute("SELECT 1 FROM files WHERE archived = ?",
                                         (self._rel(p),)).fetchone() is None:
                        p.unlink(missing_ok=True)

    def _require_run(self, run_id: int) -> None:
        if self._run is None or self._run[0] != run_id:
            raise LedgerError(f"运行 {run_id} 不是当前进行中的运行(请先调用 begin)。")

    # ------------------------------------------------------------ archive
    def archive_path(self, received: Received) -> Path:
        sha = received.sha256
        if not _SHA.match(sha or ""):
            raise ValueError(f"not a sha256: {sha!r}")
        ext = received.file_type if received.file_type in ARCHIVE_EXTS else \
            archive_ext(received) if received.file_type == STAMP else "bin"
        return self.archive_dir / sha[:2] / f"{sha}.{ext}"

    def archive(self, received: Received) -> Path:
        """Put the received bytes into the archive (atomic; a no-op when already there).

        Raises FileChanged when the bytes no longer hash to received.sha256, OSError when
        the file cannot be read or the archive cannot be written.
        """
        dest = self.archive_path(received)
        with contextlib.suppress(OSError):  # (no file there yet: OSError)
            if os.stat(dest).st_size == received.size:
                return dest
        if not self._link_in(received, dest):
            self._copy_in(received, dest)
        self._new_files.append(dest)
        return dest

    def _link_in(self, received: Received, dest: Path) -> bool:
        """Hard-link a snapshot this process made as dest (atomic); False: copy instead.

        A new file costs ~10x a link. Nothing writes a snapshot once intake has hashed it,
        so hashing before the link checks what the archive holds. A user's own file is
        always copied: an edit saved in place would change a link too.
        """
        snapshots = self.snapshots and os.path.join(os.path.abspath(self.snapshots), "")
        mine = snapshots and os.path.abspath(received.path).startswith(snapshots)
        if not self._links or not mine:  # (nobody else writes the snapshots folder)
            return False
        try:
            with open(received.path, "rb") as f:
                if hashlib.file_digest(f, "sha256").hexdigest() != received.sha256:
                    return False  # the copy says so
        except OSError:
            return False
        try:
            _with_folder(dest, lambda: os.link(received.path, dest))
        except FileExistsError:
            return False  # a stray file there: the copy replaces it
        except OSError:
            self._links = False  # another volume, or no links there: copy from now on
            return False
        return True

    def _copy_in(self, received: Received, dest: Path) -> None:
        """Copy the received bytes to dest by way of a temporary file, checking their hash."""
        tmp = self.archive_dir / ".tmp" / f"{received.sha256}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
        try:
            with open(received.path, "rb") as f, _with_folder(tmp, lambda: open(tmp, "xb")) as out:
                copied = copy_hashed(f, out)[0]
            if copied != received.sha256:
                raise FileChanged(f"{received.display}:文件在处理过程中被修改,"
                                  "与收到时的内容不一致。请等文件保存完成后重新运行。")
            _with_folder(dest, lambda: os.replace(tmp, dest))
        finally:
            tmp.unlink(missing_ok=True)

    def _clean_orphans(self) -> None:
        """Archive files no ledger row refers to, and half-written copies (.tmp): left by a
        run that was killed, or whose commit failed (a full disk). Only the writer (us,
        holding the lock) adds files."""
        kept = {os.path.normcase(os.path.abspath(self.db_path.parent / r[0])) for r in
                self.conn.execute("SELECT archived FROM files WHERE archived IS NOT NULL")}
        # (glob passes over what it cannot list; one that cannot go, a folder or a locked
        # file, stops no other)
        for folder in ("??", ".tmp"):
            pattern = os.path.join(glob.escape(str(self.archive_dir)), folder, "*")
            for path in glob.glob(pattern, include_hidden=True):
                if os.path.normcase(os.path.abspath(path)) not in kept:
                    with contextlib.suppress(OSError):
                        os.unlink(path)

    def _sync_archive(self) -> None:
        """Make this run's archive files durable before the commit that references them.

        (A killed process loses nothing written; this is for a power cut.) Where os.sync
        exists, one sync() is far cheaper than an fsync per file when a run archives many
        small files; elsewhere (Windows) each file is fsynced, and each folder too where
        the OS can open one (Windows cannot: NTFS makes the names durable with the file).
        """
        pending = self._new_files
        if len(pending) > 32 and hasattr(os, "sync"):
            os.sync()
            return
        folders = [] if os.name == "nt" else list(dict.fromkeys(p.parent for p in pending))
        for p in [*pending, *folders]:
            _fsync(p)

    def _rel(self, p: Path) -> str:
        return os.path.relpath(p, self.db_path.parent)

    # ------------------------------------------------------------ recording
    def receipt_status(self, received: Received) -> str | None:
        """The status a run for this plan and period already recorded for these bytes under
        this display name, or None (also when the file is not archived yet: still to do)."""
        row = self.conn.execute(
            "SELECT r.status FROM receipts r JOIN files f ON f.sha256 = r.sha256 "
            "WHERE r.sha256 = ? AND r.display = ? AND r.plan_id = ? AND r.period = ? "
            "AND f.archived IS NOT NULL", (received.sha256, _safe_text(received.display),
                                           *(self._run or (0, "", ""))[1:])).fetchone()
        return row and row[0]

    def locked(self, shas: set[str]) -> set[str]:
        """Which of these files were refused for an opening password (password-protected):
        given the password, a run reads them again."""
        return {r[0] for r in self.conn.execute(
            "SELECT DISTINCT sha256 FROM findings WHERE code = 'password-protected' "
            "AND sha256 IN (SELECT value FROM json_each(?))", (json.dumps(list(shas)),))}

    # -- intake's stat cache
    def known_files(self, plan_id: str, period: str, limits: str) -> dict[bytes, KnownFile]:
        """The inbox files a run for plan_id/period need not read again: recorded under
        the same limits, and settled as receipt_status would find them (archived, with a
        receipt of this plan and period)."""
        rows = self.conn.execute(
            "SELECT k.* FROM intake_stats k JOIN receipts r ON r.sha256 = k.sha256 "
            "AND r.display = k.display AND r.plan_id = ? AND r.period = ? "
            "JOIN files f ON f.sha256 = k.sha256 AND f.archived IS NOT NULL "
            "WHERE k.limits = ?", (plan_id, period, limits))
        return {r["path"]: KnownFile(**{k: r[k] for k in KnownFile.__dataclass_fields__})
                for r in rows}

    def remember_files(self, run_id: int, files: list[KnownFile], limits: str) -> None:
        """Record what this run found in its inbox folders (in the run's transaction)."""
        self._require_run(run_id)
        self.conn.executemany(
            "INSERT OR REPLACE INTO intake_stats(path, display, size, mtime_ns, ctime_ns, ino, "
            "sha256, file_type, limits) VALUES (?,?,?,?,?,?,?,?,?)",
            [(k.path, _safe_text(k.display), k.size, k.mtime_ns, k.ctime_ns, k.ino, k.sha256,
              k.file_type, limits) for k in files])

    def record(self, run_id: int, ret: FormReturn, replace: bool = False) -> str:
        """Store one examined file; the status it ends with (DUPLICATE, SUPERSEDED...).

        The outcome is this plan and period's own (its receipt); the record of the file (its
        return, findings, values) is one, of the period that counts it, else of the first
        that refused it: another period refusing it again keeps its own findings.
        replace: the file was examined again (a clerk's decision): its earlier record goes.
        """
        self._require_run(run_id)
        if ret.status not in (ACCEPTED, REJECTED, IGNORED):
            raise ValueError(f"record() takes an accepted/rejected/ignored return, "
                             f"not {ret.status!r}")
        rec, now, c, scope = ret.received, _now(), self.conn, self._run[1:]
        sha, display = rec.sha256, _safe_text(rec.display)
        self._changed, archived = True, self._archive_for_record(ret)
        old = c.execute("SELECT archived FROM files WHERE sha256 = ?", (sha,)).fetchone()
        if old is None:
            c.execute("INSERT INTO files(sha256, size, kind, archived, first_seen) "
                      "VALUES (?,?,?,?,?)",
                      (sha, rec.size, rec.file_type or "other", archived, now))
        elif old["archived"] is None and archived:  # archived at last: no error says it is not
            c.execute("UPDATE files SET archived = ? WHERE sha256 = ?", (archived, sha))
            c.execute("DELETE FROM findings WHERE sha256 = ? AND code = 'archive-failed'", (sha,))
        receipt = c.execute("SELECT id, status FROM receipts WHERE sha256 = ? AND display = ? "
                            "AND plan_id = ? AND period = ?", (sha, display, *scope)).fetchone()
        sub = c.execute("SELECT s.status, s.display, ru.plan_id, ru.period FROM submissions s "
                        "JOIN runs ru ON ru.id = s.run_id WHERE s.sha256 = ?", (sha,)).fetchone()
        if sub is not None:
            where = (sub["plan_id"], sub["period"])
            kept = where == scope and not (replace or (old["archived"] is None and archived))
            if kept and receipt is not None:
                return receipt["status"]
            # recorded here before, or counted in another period (or plan): a copy here
            if kept or (where != scope and sub["status"] in (ACCEPTED, SUPERSEDED)):
                return self._own(run_id, rec, receipt, DUPLICATE, [_copy_of(display, sub, scope)])
            if where != scope and ret.status != ACCEPTED:  # refused there and here: its own
                first = c.execute("SELECT display FROM receipts WHERE sha256 = ? AND display != ? "
                                  "AND plan_id = ? AND period = ? AND status != ?",
                                  (sha, display, *scope, DUPLICATE)).fetchone()
                return self._own(run_id, rec, receipt, ret.status, ret.findings) if first is None \
                    else self._own(run_id, rec, receipt, DUPLICATE, [finding(
                        "duplicate-file", file=display, value=first[0])])  # (refused once here)
            if where != scope:  # taken here: the other period's refusal keeps its findings
                c.execute("INSERT INTO findings(sha256, receipt_id, code, severity, file, sheet, "
                          "cell, unit, task, ref, params) SELECT f.sha256, r.id, f.code, "
                          "f.severity, f.file, f.sheet, f.cell, f.unit, f.task, f.ref, f.params "
                          "FROM findings f JOIN receipts r ON r.sha256 = f.sha256 "
                          "WHERE f.sha256 = ? AND f.receipt_id IS NULL AND r.status != ? "
                          "AND r.plan_id = ? AND r.period = ?", (sha, DUPLICATE, *where))
            self._forget_submission(sha)
        self._own(run_id, rec, receipt, ret.status, [])
        c.execute("UPDATE receipts SET status = ? WHERE sha256 = ? AND display != ? "
                  "AND plan_id = ? AND period = ?", (DUPLICATE, sha, display, *scope))
        payload, clean = _json(ret, form_return_json)
        c.execute("INSERT INTO submissions(sha256, run_id, display, plan_id, kind, unit, period, "
                  "status, received_at, recorded_at, late, supersedes, payload) "
                  "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                  (sha, run_id, display, ret.plan_id, ret.kind, ret.unit, ret.period, ret.status,
                   rec.received_at, now, int(bool(ret.late)), ret.supersedes or None, payload))
        self._insert_findings(sha, ret.findings, default_file=display)
        if ret.status == ACCEPTED:
            self._insert_values(ret, clean)
            ret.status = self._supersede(sha, ret.plan_id, ret.kind, ret.unit, ret.period)
        return ret.status

    def _own(self, run_id: int, rec: Received, receipt: sqlite3.Row | None, status: str,
             found: list[Finding]) -> str:
        """The file's receipt in this run's plan and period (new, or the one it has) with this
        status and these findings of its own; the status."""
        if receipt is None:
            rid = self.conn.execute(
                "INSERT INTO receipts(run_id, sha256, path, display, name, received_at, "
                "recorded_at, status, plan_id, period) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run_id, rec.sha256, _safe_text(rec.origin or rec.path), _safe_text(rec.display),
                 _safe_text(rec.name), rec.received_at, _now(), status, *self._run[1:])).lastrowid
        else:
            rid = receipt["id"]
            self.conn.execute("UPDATE receipts SET status = ? WHERE id = ?", (status, rid))
            self.conn.execute("DELETE FROM findings WHERE receipt_id = ?", (rid,))
        self._insert_findings(rec.sha256, found, receipt_id=rid, default_file=_safe_text(rec.display))
        return status

    def _archive_for_record(self, ret: FormReturn) -> str | None:
        """The return's file archived (its path in the ledger), else None and the return
        told why (archive-failed)."""
        try:
            return self._rel(self.archive(ret.received))
        except (OSError, FileChanged) as exc:
            reason = ("文件在处理过程中被修改" if isinstance(exc, FileChanged)
                      else (exc.strerror or type(exc).__name__))
            ret.findings = [*ret.findings, finding("archive-failed", reason=reason,
                                                   file=_safe_text(ret.received.display))]
            return None

    def _forget_submission(self, sha: str) -> None:
        c = self.conn
        c.execute('DELETE FROM "values" WHERE set_id IN '
                  "(SELECT id FROM value_sets WHERE sha256 = ?)", (sha,))
        c.execute("DELETE FROM value_sets WHERE sha256 = ?", (sha,))
        c.execute("DELETE FROM findings WHERE sha256 = ? AND receipt_id IS NULL", (sha,))
        c.execute("UPDATE submissions SET supersedes = NULL WHERE supersedes = ?", (sha,))
        c.execute("DELETE FROM submissions WHERE sha256 = ?", (sha,))

    def _insert_findings(self, sha: str, items: list[Finding], receipt_id: int | None = None,
                         default_file: str = "") -> None:
        self.conn.executemany(
            "INSERT INTO findings(sha256, receipt_id, code, severity, file, sheet, cell, unit, "
            "task, ref, params) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [(sha, receipt_id, f.code, f.severity, _safe_text(f.file or default_file),
              _safe_text(f.sheet), f.cell, _safe_text(f.unit), _safe_text(f.task),
              _safe_text(f.ref), _json(f.params)[0]) for f in items])

    def _insert_values(self, ret: FormReturn, clean: bool = False) -> None:
        """The return's values, one executemany. clean: every text in it is valid UTF-8
        (its payload encoded), so none needs _safe_text."""
        blocked = ret.blocked_cells()
        set_id = self.conn.execute("INSERT INTO value_sets(sha256) VALUES (?)",
                                   (ret.received.sha256,)).lastrowid
        rows: list[tuple] = []
        for key, field, value, num, cell, row in cell_values(ret):
            if value is None and num is None:
                continue
            sheet, ref = ret.sheet_cell(cell) if "!" in cell else (ret.sheet, cell)
            text = value if clean and type(value) is str else _value_text(value)
            rows.append((set_id, len(rows), key, field, text, num, sheet, ref, row,
                         int(bool(cell) and (sheet, ref) in blocked)))
        self.conn.executemany(
            f'INSERT INTO "values"(set_id, n, {_VALUE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)', rows)

    def _supersede(self, sha: str, plan_id: str, kind: str, unit: str, period: str) -> str:
        """Latest received (tie: later run, then display name) of a form is the accepted one."""
        c = self.conn
        rows = c.execute(
            "SELECT sha256, status, received_at, run_id, display FROM submissions "
            "WHERE plan_id = ? AND kind = ? AND unit = ? AND period = ? AND status IN (?, ?)",
            (plan_id, kind, unit, period, ACCEPTED, SUPERSEDED)).fetchall()
        before = [r["sha256"] for r in rows if r["status"] == ACCEPTED and r["sha256"] != sha]
        winner = max(rows, key=lambda r: (r["received_at"], r["run_id"], r["display"]))
        for r in rows:
            new = ACCEPTED if r["sha256"] == winner["sha256"] else SUPERSEDED
            if new != r["status"]:  # (the new row was written with its status just now)
                c.execute("UPDATE submissions SET status = ? WHERE sha256 = ?", (new, r["sha256"]))
                c.execute("UPDATE receipts SET status = ? WHERE sha256 = ? AND status IN (?, ?)",
                          (new, r["sha256"], ACCEPTED, SUPERSEDED))  # (its record's period's)
        if winner["sha256"] == sha and before:
            c.execute("UPDATE submissions SET supersedes = ? WHERE sha256 = ?", (before[0], sha))
        return ACCEPTED if winner["sha256"] == sha else SUPERSEDED

    def first_seen(self, sha: str) -> str:
        """When xltools first recorded these bytes, else now (ISO, local time)."""
        row = self.conn.execute("SELECT first_seen FROM files WHERE sha256 = ?", (sha,)).fetchone()
        return row[0] if row else _now()

    # ------------------------------------------------------------ the clerk's decisions
    def find_file(self, sha: str) -> Submission:
        """The submission whose sha256 is or starts with `sha` (8+ hex); LedgerError if none
        or several."""
        sha = sha.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{8,64}", sha):
            raise LedgerError(f"“{sha}”不是文件编号(SHA-256,至少 8 位十六进制字符,见校验报告或 --json)。")
        rows = self.conn.execute(
            "SELECT s.*, f.archived FROM submissions s JOIN files f ON f.sha256 = s.sha256 "
            "WHERE s.sha256 LIKE ?", (sha + "%",)).fetchall()
        if len(rows) != 1:
            raise LedgerError(f"台账 {self.db_path} 中{'没有' if not rows else '有多个'}"
                              f"编号以 {sha} 开头的文件。" + ("请写出更多位。" if rows else ""))
        r = rows[0]
        return Submission(r["sha256"], r["display"], r["status"], r["archived"] or "",
                          form_return_from_dict(json.loads(r["payload"])))

    def set_received(self, ret: FormReturn, replace_status: str) -> str:
        """Store a new time received of a recorded return (ret.late and its late-return
        finding already set); the status it ends with (the latest of a form counts)."""
        sha, c, self._changed = ret.received.sha256, self.conn, True
        c.execute("UPDATE submissions SET received_at = ?, late = ?, payload = ? WHERE sha256 = ?",
                  (ret.received.received_at, int(bool(ret.late)),
                   _json(ret, form_return_json)[0], sha))
        c.execute("UPDATE receipts SET received_at = ? WHERE sha256 = ? AND (plan_id, period) = "
                  "(SELECT ru.plan_id, ru.period FROM submissions s JOIN runs ru "
                  "ON ru.id = s.run_id WHERE s.sha256 = ?)", (ret.received.received_at, sha, sha))
        c.execute("DELETE FROM findings WHERE sha256 = ? AND receipt_id IS NULL AND code = ?",
                  (sha, "late-return"))
        self._insert_findings(sha, [f for f in ret.findings if f.code == "late-return"],
                              default_file=ret.received.display)
        if replace_status in (ACCEPTED, SUPERSEDED):
            return self._supersede(sha, ret.plan_id, ret.kind, ret.unit, ret.period)
        return replace_status

    def add_history(self, who: str, action: str, sha: str, plan_id: str, period: str,
                    detail: dict) -> None:
        """Record a decision of the clerk (inside the current run)."""
        self._changed = True
        self.conn.execute(
            "INSERT INTO history(at, who, action, sha256, plan_id, period, detail) "
            "VALUES (?,?,?,?,?,?,?)", (_now(), _safe_text(who), action, sha, plan_id, period,
                                       json.dumps(jsonable(detail), ensure_ascii=False)))

    def history(self, plan_id: str, period: str) -> list[Decision]:
        """The clerk's decisions for a period, oldest first."""
        return [Decision(r["at"], r["who"], r["action"], r["sha256"], json.loads(r["detail"]))
                for r in self.conn.execute(
                     "SELECT * FROM history WHERE plan_id = ? AND period = ? ORDER BY id",
                     (plan_id, period))]

    def own_files(self) -> list[Path]:
        """The ledger's own files and its archive folder (never a return, whatever inbox
        holds them): the database and SQLite's journal files beside it."""
        db = self.db_path.absolute()
        return [db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal")),
                self.archive_dir.absolute()]

    # ------------------------------------------------------------ queries
    def state(self) -> str:
        """A token that changes whenever anything is recorded, for any period (for reusing
        outputs: a period's summary reads the previous one's returns): the last run that
        recorded something, a clerk's decision included."""
        return "run:%d" % self.conn.execute(
            "SELECT coalesce(max(id), 0) FROM runs WHERE changed").fetchone()[0]

    @gc_paused()  # (every object made is kept: the collector's passes would find nothing)
    def current(self, plan_id: str, period: str, texts: bool = True) -> list[FormReturn]:
        """The accepted returns of a period now, rebuilt from their payloads (all of them at
        once: a province's period holds 100 MB whole; returns() gives them one at a time)."""
        return list(self.returns(plan_id, period, texts))

    def has_returns(self, plan_id: str, period: str) -> bool:
        """Whether the period has any accepted return now (returns() gives one)."""
        return next(self.returns(plan_id, period, texts=False), None) is not None

    def returns(self, plan_id: str, period: str, texts: bool = True) -> Iterator[FormReturn]:
        """The accepted returns of a period now, rebuilt from their payloads one at a time,
        by form kind, unit and file name. texts=False: for an earlier period's figures, without
        what units wrote in words (完成情况, 存在问题, 下一步计划, the header) and, in a return
        without errors, where each value was (its cells tell only which values an error
        keeps out): about half the memory. Its rows are read as it goes: read it while the
        ledger is open."""
        shared: dict[str, str] = {}
        for r in self.conn.execute(
                "SELECT payload, status, supersedes, late FROM submissions "
                "WHERE plan_id = ? AND period = ? AND status = ? AND kind != ? "
                "ORDER BY kind, unit, display", (plan_id, period, ACCEPTED, STAMP)):
            ret = form_return_from_dict(json.loads(r["payload"]), shared)
            ret.status, ret.supersedes, ret.late = r["status"], r["supersedes"] or "", \
                bool(r["late"])
            if not texts:
                ret.header, ret.header_cells = {}, {}
                placed = bool(ret.errors)
                for t in ret.tasks:
                    t.completion = t.problems = t.next_steps = ""
                    if not placed:
                        t.cells = {}
            yield ret

    def receipts(self, plan_id: str, period: str) -> list[Receipt]:
        """Every file a run for the period saw, and its fate there. The findings of its
        record (the one that counts the file, or its first refusal) are said in that
        record's period; a receipt of another holds its own (a copy's, a refusal's)."""
        rows = self.conn.execute(
            "SELECT r.id, r.run_id, r.sha256, r.path, r.display, r.name, r.received_at, "
            "r.recorded_at, r.status, f.size, f.kind AS file_kind, f.archived, "
            "s.plan_id, s.kind, s.unit, s.period, s.late, s.supersedes, "
            "s.display AS primary_display, ru.plan_id = r.plan_id AND ru.period = r.period AS own "
            "FROM receipts r JOIN files f ON f.sha256 = r.sha256 "
            "LEFT JOIN submissions s ON s.sha256 = r.sha256 LEFT JOIN runs ru ON ru.id = s.run_id "
            "WHERE r.plan_id = ? AND r.period = ? ORDER BY r.display, r.id",
            (plan_id, period)).fetchall()
        held: dict[str | int, list[Finding]] = {}  # a file's by its sha256, a receipt's by its id
        for f in self.conn.execute("SELECT * FROM findings WHERE sha256 IN (SELECT sha256 FROM "
                                   "receipts WHERE plan_id = ? AND period = ?) ORDER BY id",
                                   (plan_id, period)):
            d = Finding(**{k: f[k] or "" for k in PLACE}, params=json.loads(f["params"]),
                        code=f["code"], severity=f["severity"])
            held.setdefault(f["sha256"] if f["receipt_id"] is None else f["receipt_id"],
                            []).append(d)
        successor = {r["supersedes"]: r for r in self.conn.execute(
            "SELECT sha256, display, supersedes, received_at FROM submissions "
            "WHERE supersedes IS NOT NULL AND plan_id = ? AND period = ?", (plan_id, period))}
        latest = {(r["kind"], r["unit"]): r for r in self.conn.execute(
            "SELECT kind, unit, display, received_at FROM submissions WHERE plan_id = ? "
            "AND period = ? AND status = ?", (plan_id, period, ACCEPTED))}
        out = []
        for r in rows:
            dup = r["status"] == DUPLICATE
            found = (held.get(r["sha256"], []) if r["own"] and not dup else []) + \
                held.get(r["id"], [])
            superseded_by = ""
            if r["status"] == SUPERSEDED:
                nxt = successor.get(r["sha256"]) or latest.get((r["kind"], r["unit"]))
                superseded_by = nxt["display"] if nxt else ""
                # received at the same time (two attachments of one e-mail): not "later"
                tie = nxt is not None and nxt["received_at"] == r["received_at"]
                found.append(finding("superseded-same-time" if tie else "superseded",
                                     file=r["display"], value=superseded_by))
            out.append(Receipt(
                path=r["path"], display=r["display"], name=r["name"], sha256=r["sha256"],
                status=r["status"], size=r["size"], file_type=r["file_kind"], form=r["kind"] or "",
                unit=r["unit"] or "", plan_id=r["plan_id"] or "", period=r["period"] or "",
                received_at=r["received_at"], recorded_at=r["recorded_at"],
                late=bool(r["own"] and r["late"]),
                supersedes=r["supersedes"] or "", superseded_by=superseded_by, run_id=r["run_id"],
                duplicate_of=r["primary_display"] if dup else "", findings=tuple(found),
                archived=str(self.db_path.parent / r["archived"]) if r["archived"] else ""))
        return out

    def previous_actuals(self, plan_id: str, period: str,
                         field: str = ACTUAL) -> dict[tuple[str, str, str], float]:
        """{(unit, form, key): the latest accepted, unblocked figure of a period ending before
        this one} (picklable, for the readers)."""
        limit = _period_end(period)
        best: dict[tuple[str, str, str], tuple[str, float]] = {}
        for r in self.conn.execute(
                'SELECT s.unit, s.kind, v.key, s.period, v.value_num FROM submissions s '
                "JOIN value_sets vs ON vs.sha256 = s.sha256 "  # (the accepted returns,
                'JOIN "values" v ON v.set_id = vs.id '  # then theirs)
                "WHERE s.plan_id = ? AND s.status = ? AND v.field = ? AND v.blocked = 0 "
                "AND v.value_num IS NOT NULL", (plan_id, ACCEPTED, field)):
            end = _period_end(r["period"])
            k = (r["unit"], r["kind"], r["key"])
            if end < limit and (k not in best or end > best[k][0]):
                best[k] = (end, r["value_num"])
        return {k: v for k, (_, v) in best.items()}

    def status(self, plan_id: str, period: str) -> PeriodStatus:
        """Counts by status of the period's receipts, and the units that reported."""
        counts = {s: 0 for s in _STATUSES} | dict(self.conn.execute(
            "SELECT status, count(*) FROM receipts WHERE plan_id = ? AND period = ? "
            "GROUP BY status", (plan_id, period)).fetchall())
        acc = f"CASE WHEN status = '{ACCEPTED}' THEN %s END"  # (one accepted per form)
        units = [FormStatus(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6] or "", r[7] or "")
                 for r in self.conn.execute(
                     f"SELECT unit, kind, min(received_at), max(received_at), "
                     f"max({acc % 'late'}), count(*), max({acc % 'display'}), "
                     f"max({acc % 'sha256'}) FROM submissions "
                     "WHERE plan_id = ? AND period = ? AND status IN (?, ?) "
                     "GROUP BY unit, kind ORDER BY unit, kind",
                     (plan_id, period, ACCEPTED, SUPERSEDED))]
        return PeriodStatus(plan_id, period, counts, tuple(units))


def _value_text(value: object) -> str | None:
    """A cell's value as stored: text as it is, anything else as JSON text."""
    if value is None:
        return None
    if isinstance(value, str):
        return _safe_text(value)
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)  # what json.dumps writes, without its per-call setup
    return _safe_text(json.dumps(jsonable(value), ensure_ascii=False))


def _json(obj: object, dumps: Callable[..., str] = json.dumps) -> tuple[str, bool]:
    """(JSON text, whether it was valid UTF-8 as it was); odd file names (lone surrogates)
    are kept losslessly as \\u escapes. dumps: form_return_json for a return's payload."""
    text = dumps(obj, ensure_ascii=False)
    return (text, True) if is_utf8(text) else (dumps(obj, ensure_ascii=True), False)


def _with_folder(path: Path, op: Callable[[], Any]) -> Any:
    """op(), which creates `path`; when path's folder is missing, make it and try once more."""
    try:
        return op()
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        return op()


def _fsync(path: Path) -> None:
    """fsync one file or folder; a file is opened for writing (Windows flushes no read-only
    handle). Best effort: what cannot be synced was still written and closed."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY if path.is_dir() else os.O_RDWR | getattr(os, "O_BINARY", 0))
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def full_disk(db_path: Path) -> Iterator[None]:
    """A full disk under the ledger (SQLITE_FULL, or ENOSPC while writing beside it): one
    clear Chinese LedgerError (the run is rolled back)."""
    try:
        yield
    except (sqlite3.OperationalError, OSError) as exc:
        if "disk is full" in str(exc) or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" \
                or getattr(exc, "errno", None) == 28:
            raise LedgerError(f"台账所在的磁盘已满,无法写入台账“{db_path}”。本次运行已撤销,没有记录任何文件"
                              "(已存档的副本也已清除)。请腾出磁盘空间,或用 --db 把台账放到空间充足的磁盘,"
                              "然后重新运行。") from exc
        raise


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return any(word in str(exc).lower() for word in ("locked", "busy"))

