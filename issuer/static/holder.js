// The holder page: shows the live residence-permit QR code and keeps it fresh
// (code-display.js), offline with a pass and its one-time code; enrolment of
// the phone (enrolment.js); Chinese first with an English switch (text.js).

import {announce, renderCredential} from './card-view.js';
import {loadChecks, renderChecks} from './checks.js';
import {renderConsent, setUpConsent, tick as consentTick} from './consent.js';
import {goOffline, networkBack, refreshNow, setUnenrolledHandler, shownCredential, startDisplay, stopDisplay, tick} from './code-display.js';
import {setUpEnrolment, showPanel, showUnenrolled} from './enrolment.js';
import {loadPhones, renderPhones, setUpPhones} from './phones.js';
import {relabelQR} from './qr-view.js';
import {KEYS, getItem} from './storage.js';
import {applyLanguage, loadLanguage, t, toggleLanguage} from './text.js';

const enrolled = () => Boolean(getItem(KEYS.token));

function render() {
  applyLanguage();
  relabelQR();
  renderCredential(shownCredential());
  renderPhones();
  renderChecks();
  renderConsent();
  tick();
}

function start() {
  showPanel('show');
  startDisplay();
  loadPhones();
  loadChecks();
}

function unenrol(message) {
  stopDisplay();
  showUnenrolled(message);
}

function init() {
  loadLanguage();
  render();
  document.getElementById('lang').addEventListener('click', () => {
    toggleLanguage();
    render();
  });
  document.getElementById('refresh').addEventListener('click', () => {
    if (!enrolled()) return;
    refreshNow();
    loadChecks();
  });
  setUpPhones();
  setUpConsent(() => refreshNow()); // a refused phone: the normal code's checks say why
  setUnenrolledHandler(() => unenrol(t('revoked_device')));
  setUpEnrolment(() => {
    start();
    announce(t('enrolled'));
  }, () => unenrol(''));
  window.addEventListener('offline', () => { if (enrolled()) goOffline(); });
  window.addEventListener('online', () => { if (enrolled()) networkBack(); });
  setInterval(() => {
    tick();
    consentTick();
  }, 250);
  if (enrolled()) start();
  else showPanel('enrol');
  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/holder/sw.js', {scope: '/holder/'}).catch(() => {});
  }
}

init();
