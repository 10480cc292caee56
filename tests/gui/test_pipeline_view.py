"""The Pipeline view reads the project's store as `workbench serve`'s worker writes it (the store's own
functions, another connection, as from another process): runs per commit, stages, the log following live, and
the canary's alias traffic drawn over time."""

from __future__ import annotations

import time
from pathlib import Path

from tests.gui.conftest import running_window, wait_for
from workbench.model.project import Project
from workbench.pipeline import store
from workbench.pipeline.traffic import shifts

CANARY_LOG = [
    "hello: version 2 published\n",
    "hello: moving alias live from version 1 to 2 (Canary10Percent5Minutes)\n",
    "hello: 10% of live on version 2 for 300 s\n",
    "hello: alias live on version 2\n",
]


def test_the_log_tells_the_traffic_over_time() -> None:
    [canary] = shifts("".join(CANARY_LOG))
    assert (canary.alias, canary.old_version, canary.new_version, canary.outcome) == ("live", "1", "2", "complete")
    assert canary.points == [(0.0, 0.0), (0.0, 0.1), (300.0, 0.1), (300.0, 1.0)]
    [rolled] = shifts("".join(CANARY_LOG[:3]) + "hello: alarm errors tripped (2 error(s) in 3 invocation(s))\n")
    assert rolled.outcome == "rolled back" and rolled.points[-1] == (300.0, 0.0)


async def test_runs_stages_live_log_and_traffic(project: Project, tmp_path: Path) -> None:
    async with running_window(project, tmp_path) as window:
        pane = window.pipeline
        window.docks["pipeline"].raise_()
        database = pane.database
        with store.with_store(database) as connection:
            run_id = store.enqueue(connection, "origin", "refs/heads/main", "0" * 40, "abc123456789" + "0" * 28,
                                   time.time())
            store.claim_next(connection, time.time())
            for stage in ("Source", "Build"):
                store.set_stage(connection, run_id, stage, "running", time.time())
                store.append_log(connection, run_id, stage, f"{stage} done\n")
                store.set_stage(connection, run_id, stage, "succeeded", time.time())
            store.set_stage(connection, run_id, "Deploy", "running", time.time())
            store.append_log(connection, run_id, "Deploy", "".join(CANARY_LOG[:3]))
        await wait_for(lambda: pane.runs_table.column_values(1) == ["abc12345"], message="the run listed")
        assert pane.runs_table.column_values(3) == ["running"]
        assert pane.stages_table.column_values(1) == ["succeeded", "succeeded", "running"]
        assert pane.stages_table.currentRow() == 2   # the running stage is the one followed
        assert pane.log.toPlainText() == "".join(CANARY_LOG[:3])
        assert [s.outcome for s in pane.traffic.shifts] == ["shifting"]
        with store.with_store(database) as connection:
            store.append_log(connection, run_id, "Deploy", CANARY_LOG[3])
            store.set_stage(connection, run_id, "Deploy", "succeeded", time.time())
            store.finish_run(connection, run_id, "succeeded", time.time())
        await wait_for(lambda: pane.log.toPlainText().endswith("alias live on version 2\n"), message="the log followed")
        await wait_for(lambda: pane.runs_table.column_values(3) == ["succeeded"], message="the run finished")
        assert [s.outcome for s in pane.traffic.shifts] == ["complete"]
        pane.traffic.grab().save(str(tmp_path / "traffic.png"))
