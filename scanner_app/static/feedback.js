// Sound and vibration, so a verdict is noticed without looking at the screen.
// Valid: one short high beep; check the ID card: two middle beeps; could not
// verify: three short low beeps; refusal: a long low buzz. The AudioContext is created on the first user gesture (browsers
// refuse to start audio before one).

const PATTERNS = {
  valid: {tones: [[1320, 0.12]], vibrate: [80]},
  check_id: {tones: [[880, 0.12], [880, 0.12]], vibrate: [80, 80, 80]},
  unverified: {tones: [[440, 0.08], [440, 0.08], [440, 0.08]], vibrate: [60, 60, 60, 60, 60]},
  refused: {tones: [[220, 0.45]], vibrate: [300, 100, 300]},
};

export class Feedback {
  constructor() {
    this.audio = null;
  }

  /** Call from a user gesture (sign-in, a tap) to allow sound later. */
  unlock() {
    try {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!this.audio && Ctx) this.audio = new Ctx();
      if (this.audio && this.audio.state === 'suspended') this.audio.resume().catch(() => {});
    } catch (e) {
      this.audio = null;
    }
  }

  signal(tone) {
    const pattern = PATTERNS[tone] || PATTERNS.refused;
    try {
      if (navigator.vibrate) navigator.vibrate(pattern.vibrate);
    } catch (e) {
      // vibration is best effort
    }
    if (!this.audio) this.unlock();
    const ctx = this.audio;
    if (!ctx) return;
    try {
      let t = ctx.currentTime + 0.01;
      for (const [frequency, duration] of pattern.tones) {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.type = tone === 'refused' ? 'square' : 'sine';
        osc.frequency.value = frequency;
        gain.gain.setValueAtTime(0.25, t);
        gain.gain.exponentialRampToValueAtTime(0.001, t + duration);
        osc.connect(gain).connect(ctx.destination);
        osc.start(t);
        osc.stop(t + duration);
        t += duration + 0.06;
      }
    } catch (e) {
      // sound is best effort
    }
  }
}
