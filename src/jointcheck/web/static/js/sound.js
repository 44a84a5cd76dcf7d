// A short, distinct sound per outcome, made with Web Audio (no sound files).

const PATTERNS = {
  // [frequency Hz, seconds, waveform]
  admit: [[880, 0.09, "sine"], [1320, 0.16, "sine"]],
  register: [[660, 0.12, "sine"], [660, 0.12, "sine"]],
  persuade: [[587, 0.3, "triangle"]],
  restrict: [[494, 0.16, "triangle"], [370, 0.3, "triangle"]],
  deny: [[196, 0.22, "square"], [196, 0.45, "square"]],
};
const GAP = 0.06;
const VOLUME = 0.25;

let context = null;

/** Create or resume the audio context (browsers allow it only after a tap or a key). */
export function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return;
  if (context === null) context = new Context();
  if (context.state === "suspended") context.resume().catch(() => {});
}

/** Play the sound of `outcome` ("admit", ..., "deny"); return its pattern, or null. */
export function playOutcome(outcome) {
  const pattern = PATTERNS[outcome];
  if (!pattern) return null;
  unlockAudio();
  if (context === null) return null;
  let at = context.currentTime + 0.02;
  for (const [frequency, seconds, wave] of pattern) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = wave;
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(VOLUME, at + 0.012);
    gain.gain.setValueAtTime(VOLUME, at + seconds - 0.03);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + seconds);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(at);
    oscillator.stop(at + seconds + 0.02);
    at += seconds + GAP;
  }
  return pattern;
}
