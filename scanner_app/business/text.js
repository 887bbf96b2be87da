// The business page's own words in Chinese and English. Verdict words come
// from the service's messages document (/scan/reasons.js) and the language
// choice is the scanner's (/scan/i18n.js): one switch for the origin.

import {lang} from '/scan/i18n.js';

const TEXT = {
  zh: {
    title: '企业核验居住证', keysTitle: '企业访问密钥管理', signOut: '退出', signinTitle: '企业登录',
    signinHelp: '请输入本单位的企业访问密钥（以 vk_ 开头）。', businessKey: '企业访问密钥', signIn: '登录',
    checkTitle: '核验居住证二维码',
    checkHelp: '请持证人在手机上点“向企业出示”，选择同意显示的信息，然后扫描或输入其二维码。',
    cameraStart: '开启摄像头', cameraStop: '关闭摄像头', cameraOn: '摄像头扫描中', cameraOff: '摄像头已关闭',
    cameraError: '无法使用摄像头：请输入二维码内容', codeLabel: '或输入、粘贴二维码内容（扫码枪亦可）', check: '核验',
    consentTitle: '持证人同意显示的信息', permitTitle: '证件', next: '核验下一个', manageKeys: '管理本单位的访问密钥',
    back: '返回核验页', adminHelp: '请使用本单位的管理密钥登录。',
    newName: '新密钥名称（字母、数字、_ 或 -，如 front-desk）', newNameHint: '新密钥与本单位的其他密钥权限相同（不能管理密钥）。',
    create: '创建密钥', newKeyTitle: '新密钥：只显示这一次', keyName: '名称', copy: '复制', saved: '我已保存，关闭',
    newKeyHelp: '请立即复制并妥善保存。关闭后无法再次查看，遗失只能注销后重新创建。',
    listTitle: '本单位的访问密钥', created: '创建', state: '状态', actions: '操作', revoke: '注销',
    inUse: '使用中', adminKey: '管理密钥', thisKey: '（本次登录）', copied: '已复制',
    madeBy: (at, by) => `${at || '—'}，由 ${by || '—'} 创建`, revokedBy: (at, by) => `已于 ${at} 由 ${by} 注销`,
    revokeConfirm: (name) => `确定注销“${name}”？使用它的设备将立即无法核验。`,
    createdKey: (name) => `已创建“${name}”`, revokedKey: (name) => `已注销“${name}”`, orgName: (zh, en) => `本单位：${zh}`,
    revokeLabel: (name) => `注销 ${name}`,
    name: '姓名', id_tail: '证件号码后四位', district: '所属区', type: '证件类型', validUntil: '有效期至',
    noChoice: '持证人未选择出示范围：企业只能看到证件类型、所属区和有效期。',
    validityOnly: '持证人只同意显示有效性：证件类型、所属区和有效期。',
    chosen: '以上信息由持证人在本二维码中签名同意显示，请与其身份证件核对。',
    refusedNothing: '二维码未通过核验，不显示任何持证人信息。',
    badKey: '访问密钥无效或已被注销', tooMany: '尝试次数过多，请稍后再试', noNetwork: '无法连接核验服务',
    signedOut: '登录已失效（密钥可能已被注销），请重新登录', signinFailed: '登录失败', checking: '正在核验…',
    checkedAt: (time) => `核验时间 ${time}`, empty: '请输入二维码内容', failed: '核验服务暂不可用，请稍后重试',
  },
  en: {
    title: 'Permit check for businesses', keysTitle: 'Business access keys', signOut: 'Sign out', signinTitle: 'Business sign-in',
    signinHelp: 'Enter your organisation\'s business access key (it starts with vk_).', businessKey: 'Business access key', signIn: 'Sign in',
    checkTitle: 'Check a residence permit code',
    checkHelp: 'Ask the holder to tap "Show to a business" on their phone and choose what to show, then scan or type the code.',
    cameraStart: 'Start camera', cameraStop: 'Stop camera', cameraOn: 'Camera scanning', cameraOff: 'Camera off',
    cameraError: 'Camera not available: type the code instead', codeLabel: 'Or type or paste the code (a barcode scanner works too)', check: 'Check',
    consentTitle: 'What the holder agreed to show', permitTitle: 'Permit', next: 'Check another', manageKeys: 'Manage your organisation\'s access keys',
    back: 'Back to checking', adminHelp: 'Sign in with your organisation\'s admin key.',
    newName: 'Name of the new key (letters, digits, _ or -, e.g. front-desk)', newNameHint: 'A new key checks permits like your other keys; it cannot manage keys.',
    create: 'Create key', newKeyTitle: 'New key: shown this once only', keyName: 'Name', copy: 'Copy', saved: 'Saved it: close',
    newKeyHelp: 'Copy it now and keep it safe. It cannot be shown again; a lost key can only be revoked and replaced.',
    listTitle: 'Your organisation\'s access keys', created: 'Created', state: 'State', actions: 'Actions', revoke: 'Revoke',
    inUse: 'in use', adminKey: 'admin key', thisKey: ' (signed in)', copied: 'Copied',
    madeBy: (at, by) => `${at || '—'} by ${by || '—'}`, revokedBy: (at, by) => `revoked ${at} by ${by}`,
    revokeConfirm: (name) => `Revoke "${name}"? Devices using it stop checking at once.`,
    createdKey: (name) => `Created "${name}"`, revokedKey: (name) => `Revoked "${name}"`, orgName: (zh, en) => `Organisation: ${en}`,
    revokeLabel: (name) => `Revoke ${name}`,
    name: 'Name', id_tail: 'Last four ID characters', district: 'District', type: 'Permit type', validUntil: 'Valid until',
    noChoice: 'The holder chose nothing to show: a business sees the permit type, district and validity only.',
    validityOnly: 'The holder agreed to show validity only: permit type, district and validity.',
    chosen: 'The holder signed their consent to show this in the code: compare it with their ID card.',
    refusedNothing: 'The code was refused: nothing about the holder is shown.',
    badKey: 'Invalid or revoked access key', tooMany: 'Too many attempts; try later', noNetwork: 'Cannot reach the verification service',
    signedOut: 'Signed out (the key may have been revoked): sign in again', signinFailed: 'Sign-in failed', checking: 'Checking…',
    checkedAt: (time) => `Checked at ${time}`, empty: 'Enter the code', failed: 'The verification service is unavailable; try again later',
  },
};

/** The text for `key` in the current language; a function entry is called with `args`. */
export function t(key, ...args) {
  const value = TEXT[lang()][key];
  return typeof value === 'function' ? value(...args) : value;
}

/** Put the current language on the page: lang, title, every [data-i18n] element, the switch. */
export function applyLanguage(titleKey) {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  document.title = t(titleKey);
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById('lang-toggle');
  toggle.textContent = lang() === 'zh' ? 'English' : '中文';
  toggle.lang = lang() === 'zh' ? 'en' : 'zh-CN';
}
