// One person at the door: the codes scanned so far (any order), the answer, the registration.
// After each code the page asks /api/check with all of them and the person's event id; the
// decision is final when nothing more is needed or the worker decides now (`end: true`).

import { call, newEventId } from "./api.js";

export const MAX_CODES = 8;  // what /api/check accepts for one person
const REGISTERING = new Set(["register", "persuade", "restrict"]);

function freshPerson() {
  return { eventId: newEventId(), codes: [], answer: null, registration: null };
}

/** The state of the check at the door, changed only through its methods. */
export class Door {
  constructor({ onChange, onFinal, onError, category }) {
    this.onChange = onChange;
    this.onFinal = onFinal;
    this.onError = onError;
    this.category = category;  // () => the venue category to send, or null
    this.person = freshPerson();
    this.busy = false;
    this.queue = Promise.resolve();
  }

  get final() {
    return this.person.answer !== null && this.person.answer.final === true;
  }

  get mayRegister() {
    return this.final && REGISTERING.has(this.person.answer.outcome);
  }

  /** Add a scanned or typed code; a code of someone new after a final answer starts over. */
  scan(text) {
    const code = String(text).trim();
    if (!code) return this.queue;
    return this.enqueue(async () => {
      if (this.person.codes.includes(code)) return;
      if (this.final) this.person = freshPerson();
      if (this.person.codes.length >= MAX_CODES) {
        this.onError({ code: "too-many-codes", count: MAX_CODES });
        return;
      }
      this.person.codes.push(code);
      const ok = await this.ask("/api/check", this.checkBody(false));
      // A code the server could not take is dropped, so that scanning it again retries.
      if (!ok) this.person.codes = this.person.codes.filter((c) => c !== code);
    });
  }

  /** Decide on what was shown: the person has no (more) codes. */
  decideNow() {
    return this.enqueue(async () => {
      if (this.final || this.person.codes.length === 0) return;
      await this.ask("/api/check", this.checkBody(true));
    });
  }

  /** Check a person without a smartphone by identity number (server, authorised operator). */
  lookup(idNumber) {
    const number = String(idNumber).trim();
    if (!number) return this.queue;
    return this.enqueue(async () => {
      this.person = freshPerson();
      const body = { id_number: number, event_id: this.person.eventId, end: true };
      const category = this.category();
      if (category) body.venue_category = category;
      await this.ask("/api/check/lookup", body);
    });
  }

  /** Send the registration of the person whose final answer asks for it. */
  async register(fields) {
    const answer = this.person.answer;
    const body = { event_id: answer.event_id || this.person.eventId, ...fields };
    const { status, data } = await call("POST", "/api/registrations", body);
    this.person.registration = { recorded: status === 201 || data?.recorded === true };
    this.onChange();
    return this.person.registration;
  }

  /** Clear the screen for the next person. */
  next() {
    return this.enqueue(async () => {
      this.person = freshPerson();
    });
  }

  checkBody(end) {
    const body = { codes: [...this.person.codes], event_id: this.person.eventId, end };
    const category = this.category();
    if (category) body.venue_category = category;
    return body;
  }

  async ask(path, body) {
    this.busy = true;
    this.onChange();
    try {
      const { data } = await call("POST", path, body);
      this.person.answer = data;
      if (data.final) this.onFinal(data);
      return true;
    } catch (error) {
      this.onError(error);
      return false;
    } finally {
      this.busy = false;
    }
  }

  enqueue(step) {
    // One request at a time, in the order the codes came.
    this.queue = this.queue.then(step).catch((error) => this.onError(error))
      .finally(() => this.onChange());
    return this.queue;
  }
}
