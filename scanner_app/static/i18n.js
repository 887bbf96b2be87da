// The handheld's own words in Chinese and English (reason messages come from
// the service, reasons.js), and which language is shown. Chinese first; the
// choice is kept on the device.

const TEXT = {
  zh: {
    title: '居住证核验', signOut: '退出', signinTitle: '执法人员登录', accessKey: '或：访问密钥', signIn: '登录',
    officerName: '警员账号', officerPassword: '密码', officerOtp: '动态口令（6位数字）',
    cameraStart: '开启摄像头', cameraStop: '关闭摄像头', wedgeLabel: '扫码枪输入', keysetAge: '密钥集',
    statusAge: '状态列表', pendingUploads: '待上传记录', recentTitle: '最近核验', tapToContinue: '轻触继续扫码',
    tones: {valid: '✓ 有效', check_id: '! 请核对身份证件', unverified: '? 无法核验', refused: '✗ 不通过'}, online: '在线', offline: '离线：使用本机缓存核验',
    never: '无', ago: (s) => (s < 60 ? '刚刚' : s < 3600 ? `${Math.floor(s / 60)} 分钟前` : s < 86400 ? `${Math.floor(s / 3600)} 小时前` : `${Math.floor(s / 86400)} 天前`),
    clockOff: (s) => `本机时钟${s < 0 ? '快' : '慢'}了 ${Math.abs(s)} 秒，请校准设备时间（离线核验已按服务器时间校正）`,
    badKey: '访问密钥无效', tooMany: '尝试次数过多，请稍后再试', noNetwork: '无法连接核验服务',
    expired: '登录已过期，请重新登录', signinFailed: '登录失败',
    cameraOn: '摄像头扫描中', cameraOff: '摄像头已关闭', cameraError: '无法使用摄像头',
    name: '姓名', id: '身份证号', district: '所属区', type: '证件类型', validUntil: '有效期至', latency: (ms) => `${ms} 毫秒`,
    offlineMark: '离线', checkedBefore: (time) => `此码已于 ${time} 核验`, refreshData: '更新密钥集和状态列表',
    refreshing: '正在更新…', refreshed: '已更新，请重新扫码', refreshFailed: '无法更新：请联网后重试',
    detailTitle: '核验详情', close: '关闭', time: '时间', result: '结果', action: '下一步', mode: '码类型', code: '代码',
  },
  en: {
    title: 'Permit check', signOut: 'Sign out', signinTitle: 'Official sign-in', accessKey: 'Or: access key', signIn: 'Sign in',
    officerName: 'Officer account', officerPassword: 'Password', officerOtp: 'One-time code (6 digits)',
    cameraStart: 'Start camera', cameraStop: 'Stop camera', wedgeLabel: 'Scanner input', keysetAge: 'Key set',
    statusAge: 'Status list', pendingUploads: 'Records to upload', recentTitle: 'Recent scans', tapToContinue: 'Tap to scan again',
    tones: {valid: '✓ Valid', check_id: '! Check the ID card', unverified: '? Could not verify', refused: '✗ Refused'}, online: 'Online', offline: 'Offline: checking with cached data',
    never: 'none', ago: (s) => (s < 60 ? 'just now' : s < 3600 ? `${Math.floor(s / 60)} min ago` : s < 86400 ? `${Math.floor(s / 3600)} h ago` : `${Math.floor(s / 86400)} days ago`),
    clockOff: (s) => `This device's clock is ${Math.abs(s)} s ${s < 0 ? 'fast' : 'slow'}; set the time (offline checks correct for it)`,
    badKey: 'Invalid access key', tooMany: 'Too many attempts; try later', noNetwork: 'Cannot reach the verification service',
    expired: 'Session expired; sign in again', signinFailed: 'Sign-in failed',
    cameraOn: 'Camera scanning', cameraOff: 'Camera off', cameraError: 'Camera not available',
    name: 'Name', id: 'ID', district: 'District', type: 'Type', validUntil: 'Valid until', latency: (ms) => `${ms} ms`,
    offlineMark: 'offline', checkedBefore: (time) => `Checked at ${time}`, refreshData: 'Refresh key set and status list',
    refreshing: 'Refreshing…', refreshed: 'Refreshed: scan again', refreshFailed: 'Could not refresh: go online and try again',
    detailTitle: 'Scan details', close: 'Close', time: 'Time', result: 'Result', action: 'Next step', mode: 'Code type', code: 'Code',
  },
};

const STORAGE_KEY = 'lang';
let current = 'zh';
const listeners = [];

export function lang() {
  return current;
}

/** The text for `key` in the current language; a function entry is called with `args`. */
export function t(key, ...args) {
  const value = TEXT[current][key];
  return typeof value === 'function' ? value(...args) : value;
}

/** The title of a verdict screen of `tone` (valid, check_id, unverified, refused). */
export function toneTitle(tone) {
  return TEXT[current].tones[tone] || TEXT[current].tones.refused;
}

/** A time of day (Unix seconds) as the official reads it. */
export function timeOfDay(at) {
  return new Date(at * 1000).toLocaleTimeString(current === 'zh' ? 'zh-CN' : 'en-GB', {hour12: false});
}

export function loadLanguage() {
  current = localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
}

export function toggleLanguage() {
  current = current === 'zh' ? 'en' : 'zh';
  localStorage.setItem(STORAGE_KEY, current);
  for (const listener of listeners) listener(current);
}

export function onLanguageChange(listener) {
  listeners.push(listener);
}

/** Put the current language on the document: lang, title, every [data-i18n] element, the switch. */
export function applyLanguage() {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const toggle = document.getElementById('lang-toggle');
  toggle.textContent = current === 'zh' ? 'English' : '中文';
  toggle.lang = current === 'zh' ? 'en' : 'zh-CN';
}
