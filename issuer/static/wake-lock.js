// Keeping the screen on while a code is shown (Screen Wake Lock): a dimmed
// screen cannot be scanned. Held only while a valid code is on screen; the
// browser drops it when the page is hidden, so it is asked for again on return.

let wanted = false;
let sentinel = null;

async function acquire() {
  if (!wanted || sentinel || !('wakeLock' in navigator) || document.visibilityState !== 'visible') return;
  try {
    sentinel = await navigator.wakeLock.request('screen');
    sentinel.addEventListener('release', () => { sentinel = null; });
  } catch (e) {
    sentinel = null; // refused (battery saver, no permission): the page still works
  }
}

/** Hold the screen on (`on`) or let it dim. */
export function keepScreenOn(on) {
  wanted = on;
  if (on) {
    acquire();
  } else if (sentinel) {
    const held = sentinel;
    sentinel = null;
    held.release().catch(() => {});
  }
}

/** Whether the lock is held now (the page's tests read it). */
export function screenKeptOn() {
  return sentinel !== null;
}

document.addEventListener('visibilitychange', acquire);
