// The holder page's words in Chinese and English, and which is shown. Chinese
// first; the choice is kept on the phone.

import {getItem, setItem} from './storage.js';

const TEXT = {
  zh: {
    title: '北京市电子居住证',
    toggle: 'English',
    enrol_title: '绑定本机',
    enrol_help: '请输入窗口工作人员提供的激活码（15 分钟内有效，只能使用一次）。',
    enrol_code: '激活码',
    enrol_label: '设备名称',
    enrol_label_default: '我的手机',
    enrol_submit: '绑定',
    enrol_busy: '正在绑定…',
    enrol_empty: '请输入激活码',
    enrol_network: '网络不可用，请联网后再绑定',
    enrol_wait: (s) => `请在 ${s} 秒后重试`,
    offline_title: '离线模式 / Offline mode',
    offline_help: '网络不可用，正在显示离线凭证。',
    f_name: '姓名',
    f_id: '公民身份号码',
    f_district: '所属区',
    f_valid: '有效期至',
    f_status: '状态',
    brightness: (p) => `出示时请调高屏幕亮度。二维码每 ${p} 秒自动更新，截图无效。`,
    unenrol: '解除本机绑定',
    unenrol_confirm: '确定解除本机绑定？解除后需要新的激活码才能再次绑定。',
    qr_live: '实时核验二维码，自动更新',
    qr_offline: '离线核验二维码，自动更新',
    qr_device: '设备绑定离线核验二维码，自动更新',
    mode_device: '设备绑定离线码：由本机密钥签名，复制到其他手机无效。',
    mode_weaker: '较弱模式：本机浏览器无法创建设备密钥，离线码为一次性验证码，只有持有签发方密钥的核验设备能确认其实时性。',
    refresh_in: (s) => `${s} 秒后更新`,
    offline_on: '网络已断开，已切换到离线模式',
    online_on: '网络已恢复，正在显示实时二维码',
    no_pass: '没有可用的离线凭证，请联网后刷新',
    not_active: '证件当前不能出示二维码',
    revoked_device: '本机绑定已失效，请重新绑定',
    enrolled: '绑定成功',
    f_reason: '原因',
    f_card: '卡号',
    f_address: '居住地址',
    f_valid_from: '有效期自',
    f_endorse: '签注期',
    endorse_range: (a, b) => `${a} 至 ${b}`,
    endorse_remind: (d, b) => `请及时签注：签注期将于 ${b} 结束（还有 ${d} 天）。请到居住证受理窗口或网上办理签注。`,
    replaced: '证件信息已变更，旧二维码和旧离线凭证已失效，现显示新版本。',
    refresh: '刷新',
    refreshed: '已刷新',
    unknown: '—',
    phones_title: '我的手机',
    this_phone: '本机',
    enrolled_at: '绑定于',
    last_used: '最近使用',
    never: '未使用',
    remove_phone: '解除',
    remove_confirm: (l) => `确定解除“${l}”？该手机将立即无法出示二维码。`,
    removed: (l) => `已解除“${l}”`,
    lost: '挂失：解除其他所有手机',
    lost_confirm: '确定挂失？除本机外的所有手机将立即解除绑定。',
    lost_done: (n) => `已挂失，解除了 ${n} 部手机`,
    unenrol_failed: '网络不可用，未能解除绑定，请联网后再试',
    checks_title: '谁查验了我的居住证',
    checks_empty: '还没有查验记录。',
    checks_retention: (d) => `每次查验都会记录在这里（最近 ${d} 天，最新的在前），只记录对方看到了哪些项目，不记录内容。离线查验在核验设备联网上传后显示。`,
    check_role: '核验类型',
    check_mode: '出示方式',
    check_offline: '离线查验',
    check_verdict: '结果',
    check_fields: '对方看到的项目',
    check_no_fields: '无（只看到结果）',
    consent_open: '向企业出示（房东、雇主、商户）',
    consent_title: '向企业出示',
    consent_help: '企业总能看到证件类型、所属区和有效期。请选择是否另外显示：',
    consent_landlord: '房东、雇主：姓名和证件号码后四位',
    consent_shop: '商户：只显示有效性',
    consent_legend: '另外显示',
    consent_name: '姓名',
    consent_id_tail: '证件号码后四位',
    consent_always: '证件类型、所属区和有效期',
    consent_submit: '生成出示码',
    consent_cancel: '取消',
    consent_back: '返回普通二维码',
    consent_change: '重新选择',
    consent_reveals: (items) => `此码向企业显示：${items}`,
    consent_qr: '向企业出示的二维码，自动更新',
    consent_offline: '需要联网才能生成出示码，请联网后重试',
  },
  en: {
    title: 'Beijing Residence Permit',
    toggle: '中文',
    enrol_title: 'Enrol this phone',
    enrol_help: 'Enter the enrolment code from the counter (valid for 15 minutes, works once).',
    enrol_code: 'Enrolment code',
    enrol_label: 'Device name',
    enrol_label_default: 'My phone',
    enrol_submit: 'Enrol',
    enrol_busy: 'Enrolling…',
    enrol_empty: 'Enter the enrolment code',
    enrol_network: 'No network: connect and try again',
    enrol_wait: (s) => `Try again in ${s} s`,
    offline_title: '离线模式 / Offline mode',
    offline_help: 'No network: showing the offline pass.',
    f_name: 'Name',
    f_id: 'ID number',
    f_district: 'District',
    f_valid: 'Valid until',
    f_status: 'Status',
    brightness: (p) => `Raise the screen brightness when showing the code. It changes every ${p} seconds; screenshots do not work.`,
    unenrol: 'Remove this phone',
    unenrol_confirm: 'Remove this phone? A new enrolment code is needed to enrol again.',
    qr_live: 'Live verification QR code, refreshed automatically',
    qr_offline: 'Offline verification QR code, refreshed automatically',
    qr_device: 'Device-bound offline verification QR code, refreshed automatically',
    mode_device: 'Device-bound offline code: signed by this phone\'s own key; useless when copied to another phone.',
    mode_weaker: 'Weaker mode: this browser cannot create a device key, so the offline code is a one-time code whose liveness only a scanner holding the issuer\'s secret can check.',
    refresh_in: (s) => `Refreshes in ${s} s`,
    offline_on: 'Network lost: switched to offline mode',
    online_on: 'Network back: showing the live code',
    no_pass: 'No offline pass available: connect to the network',
    not_active: 'This permit cannot be shown right now',
    revoked_device: 'This phone is no longer enrolled: enrol it again',
    enrolled: 'Phone enrolled',
    f_reason: 'Reason',
    f_card: 'Card number',
    f_address: 'Address',
    f_valid_from: 'Valid from',
    f_endorse: 'Endorsement window',
    endorse_range: (a, b) => `${a} to ${b}`,
    endorse_remind: (d, b) => `Endorse your permit: the endorsement window closes on ${b} (${d} days left). Endorse at a permit counter or online.`,
    replaced: 'The permit details changed: the old code and offline passes no longer verify; the new version is shown.',
    refresh: 'Refresh',
    refreshed: 'Refreshed',
    unknown: '—',
    phones_title: 'My phones',
    this_phone: 'this phone',
    enrolled_at: 'Enrolled',
    last_used: 'last used',
    never: 'never',
    remove_phone: 'Remove',
    remove_confirm: (l) => `Remove "${l}"? It stops showing codes at once.`,
    removed: (l) => `Removed "${l}"`,
    lost: 'Lost phone: remove all other phones',
    lost_confirm: 'Report a lost phone? Every phone but this one is removed at once.',
    lost_done: (n) => `Reported lost: ${n} phone(s) removed`,
    unenrol_failed: 'No network: this phone was not removed. Connect and try again.',
    checks_title: 'Who checked my permit',
    checks_empty: 'No checks recorded yet.',
    checks_retention: (d) => `Every check is recorded here (the last ${d} days, newest first): which items the checker saw, never their content. Offline checks appear once the scanner has uploaded them.`,
    check_role: 'Checked as',
    check_mode: 'Shown as',
    check_offline: 'offline check',
    check_verdict: 'Result',
    check_fields: 'Items shown to the checker',
    check_no_fields: 'none (the result only)',
    consent_open: 'Show to a business (landlord, employer, shop)',
    consent_title: 'Show to a business',
    consent_help: 'A business always sees the permit type, district and validity. Choose whether to show more:',
    consent_landlord: 'Landlord or employer: name and last four ID characters',
    consent_shop: 'Shop: validity only',
    consent_legend: 'Also show',
    consent_name: 'Name',
    consent_id_tail: 'Last four ID characters',
    consent_always: 'permit type, district and validity',
    consent_submit: 'Make the code',
    consent_cancel: 'Cancel',
    consent_back: 'Back to the normal code',
    consent_change: 'Choose again',
    consent_reveals: (items) => `This code shows a business: ${items}`,
    consent_qr: 'QR code for a business, refreshed automatically',
    consent_offline: 'A code for a business needs the network: connect and try again',
  },
};

const LANG_KEY = 'rp.lang';
let current = 'zh';

export function lang() {
  return current;
}

/** The text for `key` in the current language; a function entry is called with `args`. */
export function t(key, ...args) {
  const value = TEXT[current][key];
  return typeof value === 'function' ? value(...args) : value;
}

export function loadLanguage() {
  current = getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
}

export function toggleLanguage() {
  current = current === 'zh' ? 'en' : 'zh';
  setItem(LANG_KEY, current);
}

/** Put the current language on the document: lang, every [data-i18n] element, the switch. */
export function applyLanguage() {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const node of document.querySelectorAll('[data-i18n]')) {
    const value = TEXT[current][node.dataset.i18n];
    if (typeof value === 'string') node.textContent = value;
  }
  const toggle = document.getElementById('lang');
  toggle.textContent = t('toggle');
  toggle.setAttribute('lang', current === 'zh' ? 'en' : 'zh-CN');
  document.getElementById('enrol-label').placeholder = t('enrol_label_default');
}
