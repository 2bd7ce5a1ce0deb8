"""The ledger's cheaper paths keep its promises: what is archived, what is stored, durability."""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest

from xltools.collect import ledger as ledger_module
from xltools.collect.ledger import Ledger
from xltools.model.errors import FileChanged
from xltools.collect.run import WORKDIR_PREFIX
from xltools.collect.serialize import jsonable
from xltools.model.returns import Received


def received(path: Path, data: bytes) -> Received:
    return Received(path=str(path), display=path.name, name=path.name,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                    received_at="2019-04-08T09:00:00", file_type="xlsx")


def put(path: Path, data: bytes) -> Received:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return received(path, data)


@pytest.fixture
def snapshots():
    """A folder like the one collect snapshots received files into (Ledger.snapshots)."""
    folder = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_a_file_of_the_user_is_copied_so_editing_it_later_changes_nothing(tmp_path, snapshots):
    rec = put(tmp_path / "inbox" / "区发改局.xlsx", b"PK as received")
    with Ledger(tmp_path / "l.db") as led:
        led.snapshots = snapshots  # (the file is not in it)
        dest = led.archive(rec)
    assert not os.path.samefile(rec.path, dest)
    with open(rec.path, "r+b") as f:  # an editor that saves in place
        f.write(b"XX")
    assert dest.read_bytes() == b"PK as received"


def test_a_private_snapshot_is_linked_and_outlives_its_folder(tmp_path, snapshots):
    rec = put(snapshots / "000001.bin", b"PK snapshot")
    with Ledger(tmp_path / "l.db") as led:
        led.snapshots = snapshots
        dest = led.archive(rec)
    assert os.path.samefile(rec.path, dest)
    shutil.rmtree(snapshots)  # what the end of a run does
    assert dest.read_bytes() == b"PK snapshot"


def test_a_snapshot_that_does_not_hash_as_received_is_refused(tmp_path, snapshots):
    rec = received(snapshots / "000001.bin", b"PK what intake saw")
    Path(rec.path).write_bytes(b"PK something else")
    with Ledger(tmp_path / "l.db") as led:
        led.snapshots = snapshots
        with pytest.raises(FileChanged):
            led.archive(rec)
        assert not led.archive_path(rec).exists()


def test_where_links_fail_the_archive_copies_and_stops_trying(tmp_path, snapshots,
                                                              monkeypatch):
    tries = []

    def cross_device(src, dst, **kwargs):
        tries.append(src)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(ledger_module.os, "link", cross_device)
    with Ledger(tmp_path / "l.db") as led:
        led.snapshots = snapshots
        for i in range(3):
            rec = put(snapshots / f"{i:06d}.bin", f"PK {i}".encode())
            dest = led.archive(rec)
            assert dest.read_bytes() == f"PK {i}".encode()
            assert not os.path.samefile(rec.path, dest)
    assert len(tries) == 1


def test_an_archive_folder_removed_mid_run_is_made_again(tmp_path, snapshots):
    with Ledger(tmp_path / "l.db") as led:
        led.snapshots = snapshots
        for i, folder in enumerate([tmp_path / "inbox", snapshots] * 2):
            shutil.rmtree(led.archive_dir, ignore_errors=True)
            rec = put(folder / f"{i}.xlsx", f"PK {i}".encode())
            assert led.archive(rec).read_bytes() == f"PK {i}".encode()


@pytest.mark.parametrize("value", [
    "文本", "lone \udcff surrogate", 85, -3, 85.0, 0.1, 1e16, -0.0, 2.5e-07, True, False,
    float("nan"), float("inf"), date(2019, 4, 10), [1, "a", 2.5], {"k": 1.5}])
def test_a_value_is_stored_as_the_same_text_as_before(value):
    before = value if isinstance(value, str) else json.dumps(jsonable(value),
                                                             ensure_ascii=False)
    assert ledger_module._value_text(value) == ledger_module._safe_text(before)


def test_a_commit_is_durable(tmp_path):
    with Ledger(tmp_path / "l.db") as led:
        assert led.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
