"""The roster XLSX template: the columns `jiance_core.roster` reads, ID numbers as text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from jiance.rosters.models import Roster
from jiance.spreadsheets import Column, TemplateSpec, build_template, workbook_bytes
from jiance.stages import stage_name

COLUMNS = (
    Column("name", "姓名", help="必填"),
    Column("sex", "性别", choices=("男", "女"), help="必填：男 或 女", width=8),
    Column("birth_date", "出生日期", help="必填：年-月-日，如 2012-03-05；须与身份证号中的出生日期一致"),
    Column("national_id", "身份证号", help="必填：18位公民身份号码（本列为文本格式，末位 X 可大写或小写）", width=22),
    Column("class", "班级", help="必填：如 4年级1班；班级数须与本校属地学校信息一致"),
    Column("student_no", "学号", help="必填：同一班级内不能重复"),
)

TEXT_COLUMNS = ("D", "F")


def roster_template(roster: Roster) -> bytes:
    spec = TemplateSpec(
        title=f"{roster.school.name} {roster.grade}年级学生名单",
        columns=COLUMNS,
        instructions=[
            f"请填写本校 {roster.grade} 年级全部在籍学生，每行一名学生，不要改动表头。",
            "上传时系统会检查全部数据：身份证号校验位、出生日期与身份证号及年级是否相符、文件内和本周期其他学校是否重复、"
            "班级数与属地学校信息是否一致；有任何错误都不会导入，并逐行说明原因。",
        ],
    )
    wb = load_workbook(io.BytesIO(build_template(spec)))
    ws = wb["数据"]
    for letter in TEXT_COLUMNS:
        for r in range(2, spec.max_rows + 2):
            ws[f"{letter}{r}"].number_format = "@"
    return workbook_bytes(wb)


# --- teachers -------------------------------------------------------------------------------------


def teacher_columns(roster: Roster) -> tuple[Column, ...]:
    """The teacher template's columns; the role dropdowns list only the roles this cycle asks for."""
    from jiance.rosters.models import Employment, TeacherRole, chinese_labels, teacher_roles_for

    labels = chinese_labels(TeacherRole)
    allowed = [labels[r] for r in teacher_roles_for(roster.cycle)]
    employment = tuple(chinese_labels(Employment).values())
    return (
        Column("name", "姓名", help="必填"),
        Column("sex", "性别", choices=("男", "女"), help="必填：男 或 女", width=8),
        Column("class_name", "任教班级", required=False, help="选填：如 4年级1班；同名教师以任教班级区分", width=20),
        Column("roles", "角色", help="必填：一个或多个角色，多个角色用顿号“、”分隔，如 班主任、语文教师；可选角色："
               + "、".join(allowed), width=28),
        Column("questionnaire_role", "问卷角色", required=False, choices=tuple(allowed),
               help="只有一个角色时可不填（即该角色）；身兼多职的教师必填，须为其角色之一", width=22),
        Column("employment", "任职类型", required=False, choices=employment,
               help="选填，留空即“" + employment[0] + "”", width=14),
    )


def teacher_template(roster: Roster) -> bytes:
    from jiance.rosters.models import TeacherRole, chinese_labels, teacher_roles_for

    labels = chinese_labels(TeacherRole)
    roles = teacher_roles_for(roster.cycle)
    allowed = "、".join(labels[r] for r in roles)
    who = (
        "本周期须填报本校所有在岗教师（含代课、返聘教师），以及校长和中层及以上管理干部。"
        if len(roles) == len(TeacherRole.values)
        else f"本周期需要填报的教师角色：{allowed}。只填写具有这些角色的教师。"
    )
    spec = TemplateSpec(
        title=f"{roster.school.name} {roster.grade}年级相关教师名单",
        columns=teacher_columns(roster),
        instructions=[
            who + "每行一名教师，不要改动表头。",
            f"九年一贯制学校只填报抽中学段（{stage_name(roster.stage)}）的教师；完全中学只填报初中教师。",
            "一名教师有多个角色时，在“角色”列中用顿号“、”分隔填写全部角色；身兼多职教师须选择一个问卷角色"
            "（“问卷角色”列，须为其角色之一），该教师只按这个角色填答一份问卷。",
            "同一任教班级中不能有两名同名教师。",
            "上传时系统会检查全部数据，有任何错误都不会导入，并逐行说明行号、列和原因；"
            "没有错误时整体替换本校当前的教师名单。",
        ],
    )
    return build_template(spec)
