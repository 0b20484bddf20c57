"""The report's tables as plain rows (title, headers, rows, note): one content for the HTML page,
the PDF and the XLSX. Units are listed in code order, never by a result; no school is named."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from jiance.analysis.indicators import MAX_INDICATORS
from jiance.analysis.report import Participation, Report
from jiance_core.analysis.indicator_stats import ALL, Indicator
from jiance_core.analysis.report_stats import Estimate

NOT_SHOWN = "不报告"
STATEMENT = ("本报告描述本地区学生的学业表现及相关情况，不排名排队、不评优评级、不奖优罚劣；"
             "报告不列出任何学校的结果，县（区）按代码排列。")


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


def num(v: float | None, digits: int = 1) -> str:
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:,.{digits}f}"


def pct(v: float | None, digits: int = 1) -> str:
    return "—" if v is None or not math.isfinite(v) else f"{v * 100:.{digits}f}%"


def _est(e: Estimate, scale: float = 1.0, digits: int = 1) -> list[str]:
    if not e.shown:
        return [NOT_SHOWN, "", ""]
    return [num(e.value * scale, digits), num(e.se * scale, digits + 1),
            f"{num(e.low * scale, digits)} ～ {num(e.high * scale, digits)}"]


def _share(e: Estimate) -> list[str]:
    if not e.shown:
        return [NOT_SHOWN, "", ""]
    return [pct(e.value), pct(e.se, 2), f"{pct(max(e.low, 0.0))} ～ {pct(min(e.high, 1.0))}"]


def _participation_row(p: Participation) -> list[str]:
    return [p.name, p.code, str(p.schools), f"{p.participating}（{p.replaced}）", str(p.not_participating),
            pct(p.school_rate), str(p.students_drawn), str(p.students_tested), pct(p.student_rate),
            str(p.frame_enrolment), num(p.weighted, 0)]


def report_tables(report: Report) -> list[Table]:
    out: list[Table] = []
    part = Table("participation", "参测情况", ["县（区）", "代码", "样本校", "参测学校（其中替补）", "未参测学校", "学校参测率",
                                              "抽取学生", "参测学生", "学生参测率", "抽样框学生数", "权重合计"],
                 note="来自测后上报的测试生信息；县（区）按代码排列。学生参测率 = 参测学生 / 参测学校抽取的学生。")
    part.rows = [_participation_row(p) for p in report.participation]
    if len(report.participation) > 1:
        part.rows.append(_participation_row(report.total))
        part.rows[-1][0] = f"{report.unit.name}合计"
    out.append(part)
    if not report.subjects:
        return [*out, technical(report)]
    res = Table("results", "各学科结果", ["学科", "数据", "平均分", "标准误", "95% 置信区间", "标准差", "学生数", "学校数", "说明"],
                note="平均分为按最终权重估计的总体平均；标准误按重复权重计算，合理值按 Rubin 规则合并；95% 置信区间 = 平均分 ± 1.96 × 标准误。")
    for s in report.subjects:
        data = f"{s.values} 个合理值" if s.kind == "pv" else "量尺分数"
        res.rows.append([s.subject, data, *_est(s.mean), num(s.sd), str(s.mean.students), str(s.mean.schools),
                         s.mean.suppressed])
    out.append(res)
    perc = Table("percentiles", "成绩分布（百分位数）", ["学科", "P10", "P25", "P50（中位数）", "P75", "P90"],
                 note="按最终权重；合理值时为各合理值百分位数的平均。")
    for s in report.subjects:
        perc.rows.append([s.subject, *[num(v) for _p, v in s.percentiles]] if s.percentiles
                         else [s.subject, NOT_SHOWN, "", "", "", ""])
    out.append(perc)
    levels = Table("levels", "学业水平分布", ["学科", "水平", "学生比例", "标准误", "95% 置信区间"],
                   note="水平按量尺分数划分：待提高 < 420 ≤ 中等 < 500 ≤ 良好 < 580 ≤ 优秀（每个合理值分别划分后合并）。")
    for s in report.subjects:
        for name, e in s.levels:
            levels.rows.append([s.subject, name, *_share(e)])
    out.append(levels)
    groups = Table("groups", "不同群体学生的平均分", ["学科", "分组", "组别", "平均分", "标准误", "95% 置信区间", "学生数", "说明"])
    for s in report.subjects:
        for label, means in s.groups:
            for name, e in means:
                groups.rows.append([s.subject, label, name, *_est(e), str(e.students), e.suppressed])
    out.append(groups)
    diffs = Table("differences", "群体差异", ["学科", "比较", "差异", "标准误", "95% 置信区间", "是否显著（α = 0.05）"],
                  note="差异的标准误考虑两组之间的协方差（同一组重复权重）；|差异 / 标准误| > 1.96 为显著。")
    for s in report.subjects:
        for d in s.differences:
            if d.suppressed:
                diffs.rows.append([s.subject, f"{d.a} − {d.b}", NOT_SHOWN, "", "", d.suppressed])
            else:
                diffs.rows.append([s.subject, f"{d.a} − {d.b}", num(d.value), num(d.se, 2),
                                   f"{num(d.low)} ～ {num(d.high)}", "显著" if d.significant else "不显著"])
    out.append(diffs)
    return [*out, technical(report)]


def technical(report: Report) -> Table:
    s = report.settings
    t = Table("technical", "技术说明", ["项目", "说明"])
    trim = f"超过本县（区）本学段权重中位数 {s.trim_ratio:g} 倍的权重截至该界限，截去部分按比例分给其余学生" \
        if s.trim_ratio else "不修剪"
    reps = f"，{report.replicates} 组重复权重" if report.replicates else ""
    fay = f"（k = {s.fay_rho:g}）" if report.method == "fay" else ""
    rows = [
        ["抽样设计", "各县（区）内按学段与学生数成比例的概率（PPS）抽取样本学校，样本学校内等概率抽取学生；未参测的学校按审批的替补学校替换。"],
        ["权重", "学校基础权重（1/入样概率）× 县（区）内学校无应答调整 × 校内权重（学生数 / 抽取学生数）× 校内学生无应答调整（缺考）× 修剪，得最终权重。"],
        ["权重修剪", trim],
        ["权重合计", f"{num(report.total.weighted, 0)}，抽样框学生数 {report.total.frame_enrolment}"],
        ["方差估计", f"{report.method_text}{fay}{reps}。"],
        ["合理值", "每个统计量在每个合理值上分别计算；点估计为其平均，方差 = 抽样方差的平均 + (1 + 1/M) × 合理值之间的方差（Rubin 规则）。"],
        ["问卷指标", "学生问卷中的单选题（各选项的比例）、整数与小数题（平均值）和量表题（各陈述选项编码的平均值），"
         "按最终权重估计，分母为作答该题的参测学生；标准误与置信区间的计算同学科结果；只计已提交的答卷，"
         "不含文字题、日期题、多选题和可识别个人身份的题目。"],
        ["小样本", f"学生少于 {report.minimums.students} 人或学校少于 {report.minimums.schools} 所的群体不报告结果（表中标为“{NOT_SHOWN}”并注明原因）。"],
        ["成绩数据", f"{report.score_set.source_name}，{report.scored} 名参测学生有成绩" if report.score_set else "尚未上传"],
        ["说明", STATEMENT],
    ]
    t.rows = rows + [["问题", p] for p in report.problems]
    return t


QUESTIONNAIRE_SHEET = "问卷指标"


def questionnaire_intro(report: Report) -> list[str]:
    """The section's sentences: what was answered, by how many, and how it is estimated; or the one
    sentence saying there is nothing."""
    q = report.questionnaire
    if q.missing:
        return [q.missing]
    out = []
    for part in q.questionnaires:
        versions = "、".join(f"第 {n} 版" for n in part.versions)
        out.append(f"{part.name}（{versions}）：{part.responses} 名参测学生提交了问卷（只计已提交的答卷）。")
    out.append("各指标按最终权重加权估计：单选题为各选项的学生比例，数值题为平均值，量表题为各陈述选项编码的平均值；"
               "分母为作答该题的学生。标准误按与学科结果相同的重复权重计算，95% 置信区间 = 估计值 ± 1.96 × 标准误；"
               f"作答学生少于 {report.minimums.students} 人或学校少于 {report.minimums.schools} 所的组不报告。")
    if q.unanswered:
        out.append(f"{'、'.join(q.unanswered)}：本学段参测学生没有已提交的答卷。")
    if q.left_out:
        out.append(f"另有 {q.left_out} 个题目未列入本报告（每份报告最多列 {MAX_INDICATORS} 个指标），可从问卷答案导出中分析。")
    return out


def _domain(group: str, domain: str) -> str:
    return ALL if group == ALL else f"{group}：{domain}"


def indicator_table(ind: Indicator, number: int = 1) -> Table:
    """One indicator: a row per domain (and category or statement), in the report's domain order."""
    item = ind.item
    if item.kind == "share":
        headers = ["组别", "选项", "学生比例", "标准误", "95% 置信区间", "作答学生数", "说明"]
    elif item.kind == "scale":
        low, high = item.scale[0], item.scale[-1]
        headers = ["组别", "陈述", f"平均（{low[1]} = {low[2]} … {high[1]} = {high[2]}）", "标准误", "95% 置信区间",
                   "作答学生数", "说明"]
    else:
        headers = ["组别", "平均值", "标准误", "95% 置信区间", "作答学生数", "说明"]
    t = Table(f"indicator-{number}", item.label, headers)
    for row in ind.rows:
        for label, e in row.values:
            cells = _share(e) if item.kind == "share" else _est(e, digits=2 if item.kind == "scale" else 1)
            head = [_domain(row.group, row.domain)] + ([] if item.kind == "mean" else [label])
            t.rows.append([*head, *cells, str(e.students), e.suppressed])
    kinds = {"share": "单选题", "mean": "整数题" if item.type == "integer" else "数值题", "scale": "量表题"}
    t.note = f"{ind.questionnaire} · 题目 {item.name}（{kinds[item.kind]}）· 全体作答学生 {ind.answered} 人；按最终权重估计。"
    return t


def questionnaire_tables(report: Report) -> list[Table]:
    return [indicator_table(i, n) for n, i in enumerate(report.questionnaire.indicators, start=1)]
