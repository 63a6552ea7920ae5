"""single_runner: one process at a time holds a periodic pass, across real processes, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.lease import lease_holder, single_runner, try_acquire

_HOLD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from sohoa.services.platform.context import open_context
    from sohoa.settings import Settings
    from sohoa.services.preservation.lease import single_runner
    ctx = open_context(Settings(data=Path(sys.argv[1]), workers=1, database_url=sys.argv[2]), migrate_schema=False)
    with single_runner(ctx, "test-pass") as mine:
        print("held" if mine else "refused", flush=True)
        sys.stdin.readline()  # hold until told
    ctx.close()
""")

_RACE = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from sohoa.services.platform.context import open_context
    from sohoa.settings import Settings
    from sohoa.services.preservation.lease import try_acquire
    ctx = open_context(Settings(data=Path(sys.argv[1]), workers=1, database_url=sys.argv[2]), migrate_schema=False)
    start = float(sys.argv[3])
    time.sleep(max(0.0, start - time.time()))
    print("won" if try_acquire(ctx, "race", sys.argv[4], ttl=600) else "lost", flush=True)
    ctx.close()
""")


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)


def test_a_lease_held_by_another_process_is_refused_until_released(any_ctx: AppContext) -> None:
    data = str(any_ctx.settings.data)
    other = _spawn(_HOLD, data, any_ctx.settings.db_url)
    assert other.stdout is not None and other.stdin is not None
    try:
        assert other.stdout.readline().strip() == "held"
        assert lease_holder(any_ctx, "test-pass") is not None
        with single_runner(any_ctx, "test-pass") as mine:
            assert mine is False
        other.stdin.write("\n")
        other.stdin.flush()
        assert other.wait(60) == 0
    finally:
        if other.poll() is None:
            other.kill()
    assert lease_holder(any_ctx, "test-pass") is None  # released at the end of the other's block
    with single_runner(any_ctx, "test-pass") as mine:
        assert mine is True
        with single_runner(any_ctx, "test-pass") as again:  # not even a second pass of the same process
            assert again is False
    with single_runner(any_ctx, "another-pass") as mine:  # leases are per name
        assert mine is True


def test_processes_racing_for_a_fresh_lease_have_one_winner(any_ctx: AppContext) -> None:
    import time

    start = f"{time.time() + 2.5:.3f}"
    racers = [_spawn(_RACE, str(any_ctx.settings.data), any_ctx.settings.db_url, start, f"racer-{n}")
              for n in range(3)]
    answers = []
    for racer in racers:
        out, _ = racer.communicate(timeout=60)
        assert racer.returncode == 0
        answers.append(out.strip())
    assert sorted(answers) == ["lost", "lost", "won"]


def test_an_expired_lease_is_taken_over(any_ctx: AppContext, tmp_path: Path) -> None:
    assert try_acquire(any_ctx, "p", "dead-process", ttl=-1)  # a holder that died: its lease has lapsed
    assert try_acquire(any_ctx, "p", "alive", ttl=600)
    assert not try_acquire(any_ctx, "p", "dead-process", ttl=600)
    assert try_acquire(any_ctx, "p", "alive", ttl=600)  # renewal by the holder
    assert lease_holder(any_ctx, "p") == "alive"


def test_the_lease_of_a_killed_process_of_this_machine_is_taken_over_at_once(any_ctx: AppContext) -> None:
    other = _spawn(_HOLD, str(any_ctx.settings.data), any_ctx.settings.db_url)
    assert other.stdout is not None
    try:
        assert other.stdout.readline().strip() == "held"
    finally:
        other.kill()
        other.wait(60)
    assert lease_holder(any_ctx, "test-pass") is not None  # not expired (ttl 600 s) ...
    with single_runner(any_ctx, "test-pass") as mine:  # ... but its holder is gone
        assert mine is True
