"""Synthetic plans of realistic shape for benchmarks: tasks, units, towns, a matrix."""
from __future__ import annotations

import random

from xltools.model import (Group, MatrixColumn, MatrixRow, Plan, Target, Task, TownMatrix, Unit,
                           quarterly)

PHRASES = ["加快推进", "全面落实", "持续深化", "着力提升", "扎实开展", "统筹推进"]
TOPICS = ["重点项目建设", "营商环境优化", "乡村振兴", "生态环境保护", "民生保障", "科技创新",
          "招商引资", "城市更新", "社会治理", "安全生产"]


def synthetic_plan(n_tasks: int, n_units: int, n_towns: int = 10, seed: int = 1,
                   province: bool = False) -> Plan:
    """A plan with n_tasks tasks spread over n_units units plus n_towns towns.

    Every unit gets tasks of its own; with `province` every tenth task also goes to all
    units through a group (as 各县市区政府 does), so thousands of units share tasks.
    """
    rnd = random.Random(seed)
    depts = [Unit(f"区第{i + 1}局", leader=f"领导{i % 9}", contact=f"联系人{i}",
                  phone=f"0716-{8800000 + i}", email=f"u{i}@example.cn") for i in range(n_units)]
    towns = [Unit(f"第{i + 1}镇", kind="镇", leader=f"领导{i % 9}") for i in range(n_towns)]
    groups = [Group("各镇人民政府", [t.name for t in towns]),
              Group("各有关单位", [d.name for d in depts])]
    tasks = []
    for i in range(n_tasks):
        text = "".join(f"{rnd.choice(PHRASES)}{rnd.choice(TOPICS)}," for _ in range(rnd.randint(2, 8)))
        names = [depts[i % len(depts)].name] + \
            [d.name for d in rnd.sample(depts, k=min(len(depts), rnd.randint(0, 2)))]
        names = list(dict.fromkeys(names))
        if i % 7 == 0 and towns:
            names.append("各镇人民政府")
        if province and i % 10 == 0:
            names.append("各有关单位")
        targets = [Target("新增数量", float(rnd.randint(10, 9000)), "个", text="新增")] if i % 3 == 0 else []
        tasks.append(Task(str(i + 1), text.rstrip(",") + "。", ["一、主要任务"], "task",
                          responsible_units=names, targets=targets))
    cols = [MatrixColumn(f"c{i + 1:02d}", [f"类别{i // 4 + 1}", f"指标{i + 1}"], "万元", i // 10 + 1)
            for i in range(20)]
    rows = [MatrixRow("全区合计", "total")] + [MatrixRow(t.name, "town", t.name) for t in towns]
    values = {}
    for c in cols:
        vals = [rnd.randint(1, 999) for _ in towns]
        values[("全区合计", c.key)] = str(sum(vals))
        for t, v in zip(towns, vals):
            values[(t.name, c.key)] = str(v)
    matrix = TownMatrix("镇街目标", cols, rows, values) if towns else None
    return Plan(title=f"合成计划{n_units}", year=2019, issuer="督办室", units=depts + towns,
                groups=groups, tasks=tasks, matrix=matrix,
                periods=quarterly(2019))
