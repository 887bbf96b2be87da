// The sign-in form both business pages share: the key is read from the field,
// the field emptied at once, and the key sent once to open a session.

import {byId} from '/scan/dom.js';
import {lang} from '/scan/i18n.js';
import {signIn} from './session.js';
import {t} from './text.js';

/** The text of a sign-in problem: one of our own words, or the service's {zh, en}. */
export function problemText(problem) {
  return typeof problem === 'string' ? t(problem) : problem[lang()];
}

/** Wire the form; `done(problemText or '')` after each attempt. */
export function setUpSignIn(done) {
  byId('signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = byId('business-key');
    const key = input.value.trim();
    input.value = '';
    if (!key) return;
    byId('signin-button').disabled = true;
    try {
      const problem = await signIn(key);
      done(problem ? problemText(problem) : '');
    } finally {
      byId('signin-button').disabled = false;
    }
  });
}

/**
 * Show the signed-in screen for `business` (null: the sign-in form, with
 * `message` under it): what both business pages show the same way.
 */
export function showSignedIn(business, message = '') {
  document.body.dataset.state = business ? 'ready' : 'signin';
  byId('signin').hidden = Boolean(business);
  byId('ready').hidden = !business;
  byId('sign-out').hidden = !business;
  byId('who').textContent = business ? business.display_name : '';
  byId('signin-error').textContent = message;
}
