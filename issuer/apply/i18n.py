"""Words on the applicant pages, in Chinese first and English.

One table (`TEXT`) so a term is written once; `Words(lang)` picks the language
for a request. Messages of refusals come with their own zh/en from issuer.errors.
"""

from __future__ import annotations

from starlette.requests import Request

__all__ = ["LANG_COOKIE", "TEXT", "Words", "lang_of"]

LANG_COOKIE = "apply_lang"

TEXT: dict[str, tuple[str, str]] = {
    "site": ("北京市居住证网上申请", "Beijing residence permit online"),
    "switch": ("English", "中文"),
    "home": ("首页", "Home"),
    "help": ("办事指南", "Guide"),
    "account": ("我的账户", "My account"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "register": ("实名注册", "Register"),
    "reset": ("找回密码", "Reset password"),
    "security": ("账户安全", "Account security"),
    "name": ("姓名", "Name"),
    "name_hint": ("与身份证一致", "As on your ID card"),
    "id_number": ("公民身份号码", "Citizen ID number"),
    "id_hint": ("18位，末位可为X", "18 characters; the last may be X"),
    "phone": ("手机号码", "Mobile number"),
    "sms_code": ("短信验证码", "Text-message code"),
    "send_code": ("获取验证码", "Send me a code"),
    "code_sent": ("验证码已发送至您的手机", "A code was sent to your phone"),
    "password": ("密码", "Password"),
    "password_hint": ("8位以上，含字母和数字", "8 or more characters, letters and digits"),
    "new_password": ("新密码", "New password"),
    "login": ("身份号码或手机号码", "ID number or mobile number"),
    "totp": ("动态验证码（已开启两步验证时填写）", "Authenticator code (if you turned on two-step sign-in)"),
    "errors_title": ("请修改以下问题", "There is a problem"),
    "wait": ("尝试次数过多，请 {s} 秒后再试", "Too many attempts: try again in {s} seconds"),
    "my_apps": ("我的申请", "My applications"),
    "no_apps": ("暂无申请", "No applications yet"),
    "new_app": ("新建申请", "Start an application"),
    "kind": ("申请类型", "What are you applying for?"),
    "start": ("开始填写", "Start"),
    "notices": ("消息通知", "Notifications"),
    "my_permits": ("我的证件", "My permits"),
    "show_on_phone": ("在本机显示电子居住证", "Show the permit on this phone"),
    "phones_count": ("已绑定手机 {n} 部", "{n} phone(s) enrolled"),
    "lost_title": ("挂失：解除所有手机", "Lost phone: remove all phones"),
    "lost_help": ("手机丢失或被盗时使用：该证件绑定的所有手机将立即无法出示二维码，之后可用新的激活码重新绑定。",
                  "If a phone was lost or stolen: every phone of this permit stops showing codes at once; "
                  "enrol again later with a new code."),
    "lost_confirm": ("我确认解除该证件绑定的所有手机", "I confirm: remove every phone of this permit"),
    "lost_submit": ("挂失", "Report lost"),
    "lost_unconfirmed": ("未确认，未解除任何手机。请勾选确认后再提交。",
                         "Not confirmed: no phone was removed. Tick the confirmation and submit again."),
    "lost_done": ("已挂失，解除了 {n} 部手机。", "Reported lost: {n} phone(s) removed."),
    "enrol_title": ("绑定本机", "Add this phone"),
    "enrol_text": ("正在绑定本机……如未自动跳转，请打开电子居住证页面并输入激活码：",
                   "Adding this phone... If nothing happens, open the permit page and type this code:"),
    "open_holder": ("打开电子居住证", "Open the permit"),
    "state": ("状态", "Status"),
    "reference": ("申请编号", "Reference"),
    "deadline": ("审核期限", "Decision due by"),
    "deadline_unknown": ("待定（节假日安排未公布）", "To be set (holiday calendar not yet published)"),
    "reason": ("原因", "Reason"),
    "timeline": ("办理进度", "Progress"),
    "edit": ("填写申请", "Fill in the application"),
    "district": ("居住地所属区", "District you live in"),
    "choose": ("请选择", "Choose"),
    "address": ("在京居住地址", "Address in Beijing"),
    "address_hint": ("街道、小区、楼号、门牌号", "Street, building and number"),
    "residence_since": ("开始居住日期", "Date your residence began"),
    "proof_basis": ("居住满六个月的证明", "Proof of six months' residence"),
    "basis_registration": ("已办理居住登记满六个月", "Residence registration held six months"),
    "basis_tax": ("连续六个月个人所得税（工资薪金）", "Six months of income tax on wages"),
    "basis_social_insurance": ("连续六个月社会保险（五险）", "Six months of social insurance"),
    "proof_months": ("连续缴纳月份", "Months paid"),
    "proof_from": ("起始月份", "First month"),
    "proof_to": ("截止月份", "Last month"),
    "months_hint": ("须覆盖 {a} 至 {b}", "Must cover {a} to {b}"),
    "target": ("办理的证件", "Permit concerned"),
    "evidence": ("证明材料", "Documents"),
    "evidence_hint": ("PDF、JPG或PNG，每个不超过5MB", "PDF, JPEG or PNG, 5 MB each at most"),
    "evidence_kind": ("材料类型", "What the file shows"),
    "ev_tax": ("纳税证明", "Income tax record"),
    "ev_social_insurance": ("社保缴费证明", "Social insurance record"),
    "ev_lease": ("租赁合同或房产证明", "Lease or title deed"),
    "ev_other": ("其他", "Other"),
    "file": ("选择文件", "File"),
    "upload": ("上传", "Upload"),
    "remove": ("删除", "Remove"),
    "save": ("保存", "Save"),
    "continue": ("下一步：确认信息", "Continue: check your answers"),
    "check": ("确认申请信息", "Check your answers"),
    "change": ("修改", "Change"),
    "submit": ("确认提交", "Submit the application"),
    "withdraw": ("撤回申请", "Withdraw the application"),
    "book": ("预约现场办理", "Book a visit"),
    "book_title": ("预约服务站", "Book a visit to a station"),
    "busy": ("繁忙程度", "How busy"),
    "suggested": ("推荐：{station} {day} {half}（最空闲）", "Suggested: {station} {day} {half} (least busy)"),
    "free": ("余 {n} 个", "{n} free"),
    "full": ("已约满", "Full"),
    "book_this": ("预约", "Book"),
    "your_booking": ("您的预约", "Your visit"),
    "cancel_booking": ("取消预约", "Cancel the visit"),
    "notice": ("受理通知", "Acceptance notice"),
    "notice_pdf": ("下载打印版（PDF）", "Download to print (PDF)"),
    "bring": ("请携带", "Bring"),
    "bring_list": ("本人居民身份证原件；申请中上传的证明材料原件；居住地址证明（租赁合同或房产证明）",
                   "Your ID card; the originals of the documents you uploaded; proof of your address (lease or deed)"),
    "keep_record": ("预约期间，您的暂住登记在现场办理时视为有效，即使在到访前到期。",
                    "Until your visit, your temporary-residence record counts as valid at the counter, even if it expires before then."),
    "totp_title": ("两步验证", "Two-step sign-in"),
    "totp_on": ("已开启", "On"),
    "totp_off": ("未开启", "Off"),
    "totp_scan": ("用验证器应用扫描二维码，然后输入显示的6位数字", "Scan the code with an authenticator app, then type the 6 digits it shows"),
    "totp_begin": ("开启两步验证", "Turn on two-step sign-in"),
    "totp_confirm": ("确认开启", "Turn it on"),
    "totp_disable": ("关闭两步验证", "Turn it off"),
    "reset_done": ("密码已重设，请登录", "Your password is changed: sign in"),
    "registered": ("注册成功", "Your account is ready"),
    "back": ("返回", "Back"),
    "am": ("上午", "morning"),
    "pm": ("下午", "afternoon"),
}


def lang_of(request: Request) -> str:
    """``en`` when asked for (query or cookie), otherwise Chinese."""
    asked = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return "en" if asked == "en" else "zh"


class Words:
    """``words("key", s=5)``: the text of ``key`` in the request's language."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._i = 1 if lang == "en" else 0

    def __call__(self, key: str, **values: object) -> str:
        text = TEXT[key][self._i]
        return text.format(**values) if values else text

    def pick(self, zh: str, en: str) -> str:
        return en if self._i else zh
