// What the simulation prints reaches the xterm.js console as text, never as commands to the
// terminal. A user can `echo` anything and a stored name may predate the name checks: an escape
// sequence there could clear the screen, move the cursor to overwrite earlier lines, retitle the
// window, rewrite the prompt or switch character sets. Only colours pass (SGR `ESC [ ... m` with
// colour and weight parameters); every other control character is shown in caret notation
// (`^[` for ESC, `^M` for CR, `^?` for DEL) and C1 controls as `<U+009B>`, like `cat -v`.
// Newline and tab stay: they only move to the next line or tab stop.

const ESC = "\x1b";
// Parameters an SGR may carry here: reset, bold/dim/italic/underline and their ends, the 8 + 8
// colours of foreground and background and their defaults. 38/48 take `5;n` or `2;r;g;b`.
const SIMPLE = new Set([0, 1, 2, 3, 4, 22, 23, 24, 39, 49]);

function colourParams(params) {
  if (params === "") return true;
  if (params.length > 48 || !/^[0-9;]+$/.test(params)) return false;
  const values = params.split(";").map((p) => (p === "" ? 0 : Number(p)));
  for (let i = 0; i < values.length; i += 1) {
    const v = values[i];
    if (SIMPLE.has(v) || (v >= 30 && v <= 37) || (v >= 40 && v <= 47) || (v >= 90 && v <= 97) || (v >= 100 && v <= 107)) continue;
    if (v === 38 || v === 48) {
      if (values[i + 1] === 5 && values[i + 2] !== undefined && values[i + 2] <= 255) {
        i += 2;
        continue;
      }
      if (values[i + 1] === 2 && values.slice(i + 2, i + 5).length === 3 && values.slice(i + 2, i + 5).every((c) => c <= 255)) {
        i += 4;
        continue;
      }
    }
    return false;
  }
  return true;
}

/** How one control character is shown: `^[`, `^M`, `^?`, `<U+009B>`. */
export function visible(ch) {
  const code = ch.codePointAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return "^?";
  return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
}

/**
 * `text` made safe to write to the terminal: colour SGRs kept (with `colours`), newline and tab
 * kept, every other C0/C1 control and DEL shown as visible text.
 */
export function termSafe(text, { colours = true } = {}) {
  const s = String(text ?? "");
  let out = "";
  for (let i = 0; i < s.length; i += 1) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (ch === "\n" || ch === "\t") {
      out += ch;
    } else if (ch === ESC && colours && s[i + 1] === "[") {
      const end = /^\[([0-9;]*)m/.exec(s.slice(i + 1, i + 52));
      if (end && colourParams(end[1])) {
        out += ESC + end[0];
        i += end[0].length;
      } else {
        out += visible(ch);
      }
    } else if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) {
      out += visible(ch);
    } else {
      out += ch;
    }
  }
  return out;
}

/** After untrusted text: back to default colours, so a colour never leaks into the prompt. */
export const RESET = `${ESC}[0m`;
