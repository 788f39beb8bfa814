// Autosave: the document is PUT ~1 s after the last change with the version it was based on
// (`base_version`); the server answers 409 with `current_version` when it changed elsewhere.
// Unsaved work is kept in localStorage so a reload (or a crash) can offer it back.
//
// States (shown in the toolbar's status): saved -> dirty -> saving -> saved | offline | conflict | error.

export const SAVE_DELAY_MS = 1000;
const RETRY_MS = 5000;

export const SaveState = Object.freeze({
  SAVED: "saved", DIRTY: "dirty", SAVING: "saving", OFFLINE: "offline", CONFLICT: "conflict", ERROR: "error",
});

const LABELS = Object.freeze({
  saved: "Saved", dirty: "Unsaved changes", saving: "Saving…", offline: "Offline: not saved, retrying",
  conflict: "Not saved: this design changed elsewhere", error: "Not saved",
});

/** The value of cookie `name`, or "" (the CSRF token for Django's check). */
export function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

export function csrfToken() {
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value || cookie("csrftoken");
}

export function storageKey(designId) {
  return `netdesigner:unsaved:${designId}`;
}

export class Saver {
  constructor({ designId, version, onState, getDocument, delay = SAVE_DELAY_MS }) {
    this.designId = designId;
    this.version = version;
    this.onState = onState;
    this.getDocument = getDocument;
    this.delay = delay;
    this.timer = null;
    this.inFlight = null;
    this.state = SaveState.SAVED;
    this.pendingAfterFlight = false;
  }

  setState(state, detail = "") {
    this.state = state;
    this.onState(state, detail ? `${LABELS[state]}: ${detail}` : LABELS[state]);
  }

  /** Called after every local change: remember it locally, save after a pause. */
  changed() {
    if (this.state === SaveState.CONFLICT) {
      this.keepLocally();
      return;
    }
    this.keepLocally();
    this.setState(SaveState.DIRTY);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.save(), this.delay);
  }

  keepLocally() {
    try {
      localStorage.setItem(storageKey(this.designId), JSON.stringify({ base_version: this.version, document: this.getDocument() }));
    } catch {
      // Storage full or disabled: the server save still runs.
    }
  }

  /** What a previous visit left unsaved, or null. */
  static unsaved(designId) {
    try {
      const raw = localStorage.getItem(storageKey(designId));
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }

  forget() {
    try {
      localStorage.removeItem(storageKey(this.designId));
    } catch {
      // nothing kept
    }
  }

  async save() {
    clearTimeout(this.timer);
    if (this.inFlight) {
      this.pendingAfterFlight = true;
      return;
    }
    const document_ = this.getDocument();
    this.setState(SaveState.SAVING);
    this.inFlight = fetch(`/api/designs/${this.designId}`, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ base_version: this.version, document: document_ }),
    });
    let answer;
    try {
      answer = await this.inFlight;
    } catch {
      this.inFlight = null;
      this.setState(SaveState.OFFLINE);
      this.timer = setTimeout(() => this.save(), RETRY_MS);
      return;
    }
    this.inFlight = null;
    const body = await answer.json().catch(() => ({}));
    if (answer.ok) {
      this.version = body.version;
      if (this.pendingAfterFlight || this.getDocument() !== document_) {
        this.pendingAfterFlight = false;
        this.changed();
      } else {
        this.forget();
        this.setState(SaveState.SAVED);
      }
      return;
    }
    this.pendingAfterFlight = false;
    if (answer.status === 409) {
      this.setState(SaveState.CONFLICT);
      this.currentVersion = body.current_version ?? null;
      return;
    }
    if (answer.status >= 500) {
      this.setState(SaveState.OFFLINE);
      this.timer = setTimeout(() => this.save(), RETRY_MS);
      return;
    }
    this.setState(SaveState.ERROR, body.msg ?? `HTTP ${answer.status}`);
  }
}

/** Saves `doc` as a new design of this user; resolves to its id. */
export async function saveAsCopy(name, doc) {
  const answer = await fetch("/api/designs", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    body: JSON.stringify({ name, document: doc }),
  });
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(body.msg ?? `HTTP ${answer.status}`);
  return body.id;
}
