// Settings and slider positions in the URL hash, so a shared link restores the view once the same file is
// loaded: `src` names the file (name and size, or the demo), the other keys are applied only when it matches.
const params = () => new URLSearchParams(location.hash.slice(1));

/** The hash as a plain object of strings. */
export function readHash() {
  return Object.fromEntries(params());
}

/** Merge keys into the hash (null deletes) without adding a history entry. */
export function writeHash(patch) {
  const p = params();
  for (const [k, v] of Object.entries(patch)) {
    if (v == null) p.delete(k);
    else p.set(k, String(v));
  }
  history.replaceState(null, '', `#${p.toString()}`);
}

/** The settings in the hash if they were saved for this source, else {}. */
export function savedFor(source) {
  const h = readHash();
  return h.src === source ? h : {};
}
