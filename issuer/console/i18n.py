"""The console's words in Chinese and English, and which language a request wants.

Chinese is the default; ``/console/lang?to=en`` sets a cookie. Words live here
(not in the templates) so the two languages cannot drift apart page by page.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["LANG_COOKIE", "Lang", "language", "translate"]

LANG_COOKIE = "console_lang"
Lang = str

WORDS: dict[str, tuple[str, str]] = {
    "title": ("居住证业务工作台", "Residence permit console"),
    "skip": ("跳到正文", "Skip to content"),
    "switch": ("English", "中文"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "otp": ("动态口令（6位数字）", "One-time code (6 digits)"),
    "signin_title": ("警员登录", "Officer sign-in"),
    "signin_hint": ("请使用本人账号登录。离开工作台15分钟将自动退出。",
                    "Sign in with your own account. You are signed out after 15 minutes away."),
    "today": ("今日预约", "Today's appointments"),
    "counter_new": ("窗口代办申请", "Counter application"),
    "review": ("审核队列", "Review queue"),
    "search": ("人员查询", "Find a person"),
    "visits": ("入户核实", "Home visits"),
    "cases": ("核实案件", "Cases"),
    "imports": ("历史数据导入", "Legacy imports"),
    "officers": ("警员账号", "Officer accounts"),
    "station": ("所属单位", "Station"),
    "district": ("所属区", "District"),
    "role": ("角色", "Role"),
    "name": ("姓名", "Name"),
    "id_number": ("公民身份号码", "ID number"),
    "card_number": ("证件编号", "Card number"),
    "address": ("居住地址", "Address"),
    "status": ("状态", "Status"),
    "valid_until": ("有效期至", "Valid until"),
    "permit_type": ("证件类型", "Permit type"),
    "version": ("版本", "Version"),
    "actions": ("办理", "Actions"),
    "history": ("办理记录", "History"),
    "devices": ("已绑定设备", "Devices"),
    "last_used": ("最近使用", "Last used"),
    "enrolled": ("绑定时间", "Enrolled"),
    "slips": ("确认单", "Slips"),
    "print_slip": ("打印确认单", "Print slip"),
    "reprint_note": ("补打后此前打印的确认单全部作废。", "Printing a new slip voids every earlier slip."),
    "reason": ("原因", "Reason"),
    "confirm": ("我已核对，确认办理", "I have checked; carry it out"),
    "submit": ("提交", "Submit"),
    "search_q": ("身份号码、证件编号或姓名", "ID number, card number or name"),
    "no_results": ("没有找到", "Nothing found"),
    "app_id": ("申请编号", "Application"),
    "kind": ("申请类型", "Kind"),
    "half": ("时段", "Half day"),
    "deadline": ("审核期限", "Decision due"),
    "overdue": ("已超期", "Overdue"),
    "deadline_unknown": ("期限待定（日历未载入）", "Due date unknown (calendar not loaded)"),
    "accept": ("受理", "Accept"),
    "refuse": ("不予受理", "Refuse"),
    "approve": ("审核通过", "Approve"),
    "reject": ("审核不通过", "Reject"),
    "compare": ("核对身份证与网上申请信息", "Compare the ID card with the online application"),
    "online_data": ("网上申请信息", "Online application"),
    "checked": ("已查验材料", "Evidence checked"),
    "accepted_by": ("受理人", "Accepted by"),
    "applied_by": ("代办人", "Applied for by"),
    "proxy": ("代办", "Proxy"),
    "timeline": ("办理进度", "Timeline"),
    "outcome": ("核实结果", "Outcome"),
    "note": ("备注", "Note"),
    "attempts": ("上门次数", "Attempts"),
    "cause": ("原因", "Cause"),
    "decide": ("处理", "Decide"),
    "suspend_permit": ("暂停证件", "Suspend the permit"),
    "dismiss": ("撤销案件", "Dismiss"),
    "file": ("导出文件（CSV，UTF-8 或 GBK）", "Export file (CSV, UTF-8 or GBK)"),
    "start_import": ("开始导入", "Start import"),
    "progress": ("进度", "Progress"),
    "report": ("导入报告", "Report"),
    "line": ("行号", "Line"),
    "defect": ("问题", "Defect"),
    "create": ("新建", "Create"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "reset": ("重置密码和动态口令", "Reset password and one-time code"),
    "shown_once": ("以下信息只显示一次，请当面交给本人。", "Shown once: hand it to the officer in person."),
    "error": ("未能办理", "Not done"),
    "done": ("已办理", "Done"),
    "none": ("无", "None"),
    "back": ("返回", "Back"),
    # notices after an act (the ?done= of the page it leads to)
    "done.accepted": ("已受理，转审核员审核", "Accepted; it goes to a reviewer"),
    "done.refused": ("已不予受理", "Refused"),
    "done.approved": ("审核通过，证件已签发", "Approved; the permit is issued"),
    "done.rejected": ("已审核不通过", "Rejected"),
    "done.recorded": ("核实结果已记录", "Outcome recorded"),
    "done.case": ("核实结果已记录，已立案待处理", "Outcome recorded; a case is opened"),
    "done.endorse": ("已签注", "Endorsed"),
    "done.change": ("已变更，已生成入户核实任务", "Changed; a home visit is scheduled"),
    "done.suspend": ("已暂停", "Suspended"),
    "done.reinstate": ("已恢复", "Reinstated"),
    "done.revoke": ("已注销", "Revoked"),
    "done.convert": ("已换领居住证", "Converted"),
}


def language(request: Request) -> Lang:
    return "en" if request.cookies.get(LANG_COOKIE) == "en" else "zh"


def notice(lang: Lang, done: str) -> str:
    """The message for ``?done=<act>``, or nothing for an unknown act."""
    key = "done." + done
    return translate(lang, key) if key in WORDS else ""


def translate(lang: Lang, key: str) -> str:
    zh, en = WORDS.get(key, (key, key))
    return en if lang == "en" else zh
