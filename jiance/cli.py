"""The `jiance` console command: every operation an office may script.

Offline tools (no database, no Django) run straight from `jiance_core.commands`; everything
else is a Django management command (hyphens become underscores: `import-units` →
`import_units`).
"""

from __future__ import annotations

import importlib
import os
import sys

# Offline tools that work on files without the web app.
CORE_COMMANDS = {
    "sample-schools": "jiance_core.commands.sample_schools",
    "synth": "jiance_core.commands.synth",
    "check-roster": "jiance_core.commands.check_roster",
    "sample-students": "jiance_core.commands.sample_students",
    "seat-plan": "jiance_core.commands.seat_plan",
    "estimate": "jiance_core.commands.estimate",
}

HELP = """用法：jiance <命令> [参数]

离线工具（不需要数据库）：
  sample-schools   按学校名单抽取样本校（PPS/简单随机），含替补校与不足处理
  check-roster     检查学生名单（身份证校验位、出生日期、重复等），有问题时退出码非 0
  sample-students  在样本校内等概率抽取学生（含抽样概率与权重）
  seat-plan        分配监测室、座位（S 形编号）与题本/答题卡
  synth            生成合成数据（--scale national|city）
  estimate         按抽样设计估计均值、比例、分位数等及其标准误（泰勒线性化或重复权重，合理值）
平台命令：
  demo             建库并写入演示数据，打印演示账号
  serve            启动网站（默认 127.0.0.1:8000）
  worker           运行后台任务（导出、抽样等；make demo 会同时启动）
  scheduler        定时任务调度（提醒、清理上传文件、保密材料逾期提醒）
  import-units F   从 XLSX 导入行政层级与学校
  export-units F   导出行政层级与学校到 XLSX
  unit-template F  生成带下拉选项的导入模板
  load-synth       将合成的全国或城市行政层级载入数据库
  cycle load|check|copy|list|activate   监测周期模板
  create-school-accounts           为学校批量创建账号
  create-admin --unit C --username U --name N   为中心、省、市或县创建第一个管理员账号
  purge-uploads [--days N]         删除超过保留期限的上传文件（每天运行）
  migrate, check, createsuperuser … 以及所有 Django 管理命令
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(HELP)
        return 0
    command, rest = args[0], args[1:]
    if command in CORE_COMMANDS:
        module = importlib.import_module(CORE_COMMANDS[command])
        return int(module.main(rest) or 0)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiance.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["jiance", command.replace("-", "_"), *rest])
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
